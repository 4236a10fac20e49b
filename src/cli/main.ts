#!/usr/bin/env node
import '../polyfill.js'
import { Command, CommanderError } from 'commander'
import { HivebenchError } from '../errors.js'
import { COMMAND_LIST, type CommandName } from './command-list.js'
import { applyConventions } from './conventions.js'
import { LOADERS } from './loaders.js'
import { packageVersion } from './version.js'

/**
 * The CLI loads only the module of the command it runs: a hook that calls `hivebench record`
 * after every agent task must not pay for libp2p and fastify (which only `start` needs), nor
 * for the other commands' dependencies. `--help` lists the commands from command-list.ts.
 */

const isCommand = (word: string | undefined): word is CommandName => COMMAND_LIST.some(c => c.name === word)

/**
 * The command a command line runs: its first word that is not an option (`help X` asks for X's
 * help). A guess that only saves time: when it is wrong, the placeholder of the command that
 * commander dispatches to loads the real one (see LoadCommand).
 */
function commandOf (args: readonly string[]): CommandName | null {
  const words = args.filter(a => !a.startsWith('-'))
  const word = words[0] === 'help' ? words[1] : words[0]
  return isCommand(word) ? word : null
}

/** Thrown by a placeholder that commander dispatched to: build the program again with that command loaded. */
class LoadCommand extends Error {
  constructor (readonly command: CommandName) {
    super(`load ${command}`)
  }
}

/** Stands for a command in `--help` and accepts anything, so that commander dispatches to it. */
function placeholder (name: CommandName, summary: string): Command {
  return new Command(name)
    .description(summary)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(() => { throw new LoadCommand(name) })
}

async function buildProgram (loaded: CommandName | null): Promise<Command> {
  const program = new Command('hivebench')
    .description('federated benchmark-sharing peer node: which coding tool is best for this task type?')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  // The list shows every command as its loaded self would appear (placeholders take any arguments).
  program.configureHelp({
    subcommandTerm: cmd => {
      const spec = COMMAND_LIST.find(c => c.name === cmd.name())
      return spec === undefined ? cmd.name() : `${spec.name}${spec.usage === '' ? '' : ' ' + spec.usage}`
    }
  })
  for (const { name, summary } of COMMAND_LIST) {
    const cmd = name === loaded ? await LOADERS[name]() : placeholder(name, summary)
    program.addCommand(cmd.exitOverride())
  }
  applyConventions(program)
  return program
}

/** Exit codes: 0 ok, 1 usage or input error (one line, no stack trace), 2 unexpected failure; `run` passes on the agent's, `gate` adds 3 and 4. */
async function main (argv: string[]): Promise<void> {
  let loaded = commandOf(argv.slice(2))
  for (;;) {
    try {
      await (await buildProgram(loaded)).parseAsync(argv)
      return
    } catch (err) {
      if (err instanceof LoadCommand && err.command !== loaded) {
        loaded = err.command
        continue
      }
      if (err instanceof CommanderError) {
        process.exitCode = err.exitCode === 0 ? 0 : 1
      } else if (err instanceof HivebenchError) {
        console.error(`hivebench: ${err.message}`)
        process.exitCode = 1
      } else {
        console.error('hivebench: unexpected failure (please report):', err)
        process.exitCode = 2
      }
      return
    }
  }
}

await main(process.argv)
