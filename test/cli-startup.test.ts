import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Help, type Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { outcomeCheckSource, OUTCOME_CHECK_FILE } from '../scripts/gen-outcome-check.js'
import { LOADERS } from '../src/cli/loaders.js'
import { COMMAND_LIST } from '../src/cli/command-list.js'
import { CLI, runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TRACE = fileURLToPath(new URL('./fixtures/trace-loads.mjs', import.meta.url))

/** The packages a command line loaded (node_modules/<package>), from the trace-loads preload. */
function packagesLoaded (args: string[]): Set<string> {
  const r = spawnSync(process.execPath, ['--import', TRACE, CLI, ...args], { encoding: 'utf8', timeout: 60_000 })
  expect(r.status, r.stderr).toBe(0)
  const files = r.stderr.slice(r.stderr.indexOf('loaded modules:\n')).split('\n').slice(1).filter(Boolean)
  expect(files.some(f => f.endsWith('/cli/main.js'))).toBe(true) // the trace works
  return new Set(files.flatMap(f => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)
    return m === null ? [] : [m[1]]
  }))
}

describe('CLI start-up', () => {
  it('loads only what a command needs: no libp2p, fastify or MCP SDK outside start and mcp; no msgpackr for reads', () => {
    const dataDir = tempDir()
    const heavy = ['libp2p', '@libp2p/gossipsub', 'fastify', 'pino', '@modelcontextprotocol/sdk', 'zod', 'ajv', 'cli-table3']
    const record = packagesLoaded(['record', '--data-dir', dataDir, '--task-type', 'a', '--tool', 'b', '--success', 'true'])
    expect(record.has('better-sqlite3')).toBe(true)
    expect(record.has('msgpackr')).toBe(true) // recording writes a raw batch
    for (const args of [['--help'], ['--version'], ['best', 'a', '--data-dir', dataDir], ['stats', '--data-dir', dataDir, '--task-type', 'a'], ['route', 'a', '--data-dir', dataDir]]) {
      const loaded = packagesLoaded(args)
      for (const p of [...heavy, 'msgpackr']) expect(loaded.has(p), `${args.join(' ')} loaded ${p}`).toBe(false)
      if (args[0].startsWith('-')) expect(loaded.has('better-sqlite3'), `${args.join(' ')} opened the store`).toBe(false)
    }
    for (const p of heavy) expect(record.has(p), `record loaded ${p}`).toBe(false)
    // start loads its HTTP surface; the libp2p stack itself only when the node starts (network/index.ts loads it on use)
    const start = packagesLoaded(['start', '--help'])
    expect(start.has('fastify')).toBe(true)
    expect(start.has('libp2p')).toBe(false)
  }, 60_000)

  it('--help lists every command as its module declares it; help X and X --help load X; --version; a typo gets a suggestion', async () => {
    const help = runCli(['--help'])
    expect(help.code).toBe(0)
    // the CLI's own loader map: each entry must load the command it names, as the list describes it
    const loaders: Readonly<Record<string, () => Promise<Command>>> = LOADERS
    expect(Object.keys(loaders).sort()).toEqual(COMMAND_LIST.map(c => c.name).sort())
    for (const spec of COMMAND_LIST) {
      const real = await loaders[spec.name]()
      expect(real.name()).toBe(spec.name)
      expect(real.description()).toBe(spec.summary)
      const term = new Help().subcommandTerm(real)
      expect(help.stdout).toContain(term)
      expect(term).toBe(spec.usage === '' ? spec.name : `${spec.name} ${spec.usage}`)
    }
    const bestHelp = runCli(['help', 'best'])
    expect(bestHelp.stdout).toContain('Usage: hivebench best [options] <task_type>')
    expect(bestHelp.stdout).toContain('--min-samples <n>')
    expect(runCli(['best', '--help']).stdout).toBe(bestHelp.stdout)
    const version = runCli(['--version'])
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version)
    const typo = runCli(['bset', 'x'])
    expect(typo.code).toBe(1)
    expect(typo.stderr).toContain("unknown command 'bset'")
    expect(typo.stderr).toContain('Did you mean best?')
  }, 60_000)

  it('the outcome check compiled ahead of time is the schema\'s current compilation (npm run gen:validator)', () => {
    expect(readFileSync(`${ROOT}/${OUTCOME_CHECK_FILE}`, 'utf8')).toBe(outcomeCheckSource())
  })
})
