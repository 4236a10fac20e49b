#!/usr/bin/env node
import '../polyfill.js'
import { Command, CommanderError } from 'commander'
import { HivebenchError } from '../errors.js'
import { baselineCommand } from './baseline.js'
import { bestCommand } from './best.js'
import { exportDeltaCommand } from './export-delta.js'
import { gateCommand } from './gate.js'
import { idCommand } from './id.js'
import { importDeltaCommand } from './import-delta.js'
import { importCommand } from './import.js'
import { peersCommand } from './peers.js'
import { publishCommand } from './publish.js'
import { recordCommand } from './record.js'
import { routeCommand } from './route.js'
import { startCommand } from './start.js'
import { statsCommand } from './stats.js'
import { trendCommand } from './trend.js'

const program = new Command('hivebench')
  .description('federated benchmark-sharing peer node: which coding tool is best for this task type?')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()

const commands = [startCommand, recordCommand, importCommand, bestCommand, routeCommand, statsCommand, peersCommand, publishCommand,
  idCommand, exportDeltaCommand, importDeltaCommand, baselineCommand, gateCommand, trendCommand]
for (const cmd of commands) program.addCommand(cmd.exitOverride())

/** Exit codes: 0 ok, 1 usage or input error (one line, no stack trace), 2 unexpected failure; `gate` adds 3 and 4. */
try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 1
  } else if (err instanceof HivebenchError) {
    console.error(`hivebench: ${err.message}`)
    process.exitCode = 1
  } else {
    console.error('hivebench: unexpected failure (please report):', err)
    process.exitCode = 2
  }
}
