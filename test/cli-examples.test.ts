import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { COMMAND_LIST } from '../src/cli/command-list.js'
import { LOADERS } from '../src/cli/loaders.js'
import { runCli } from './helpers/cli.js'

/**
 * Every command's `--help` ends with examples (issue 16, like `gh`'s EXAMPLES): at least one
 * starts `hivebench <command>`, and commander accepts each one's options and arguments.
 */

/** The `$ ...` lines of the help's `Examples:` section. */
function examplesOf (help: string): string[] {
  const at = help.indexOf('\nExamples:\n')
  if (at < 0) return []
  const lines = help.slice(at + '\nExamples:\n'.length).split('\n')
  const end = lines.findIndex(l => l !== '' && !l.startsWith('  ')) // the next section, if any
  const section = end < 0 ? lines : lines.slice(0, end)
  return section.filter(l => l.startsWith('  $ ')).map(l => l.slice(4))
}

/**
 * The words of the `hivebench` invocation inside a shell line, as the shell would pass them:
 * quotes removed, and up to the first unquoted `)`, `|`, `>`, `&` or `;`.
 */
function invocation (line: string, name: string): string[] {
  const start = line.indexOf(`hivebench ${name}`)
  expect(start, `${line} runs hivebench ${name}`).toBeGreaterThanOrEqual(0)
  const words: string[] = []
  let word: string | null = null
  let quote: '"' | "'" | null = null
  for (const ch of line.slice(start)) {
    if (quote !== null) {
      if (ch === quote) quote = null
      else word = (word ?? '') + ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      word ??= ''
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word)
      word = null
    } else if (/[)|>&;]/.test(ch)) {
      break
    } else {
      word = (word ?? '') + ch
    }
  }
  if (word !== null) words.push(word)
  return words.slice(1) // without `hivebench`
}

/** Parses `args` with the command as commander would (no action runs); fails on what commander would reject. */
function expectAccepted (cmd: Command, args: string[], what: string): void {
  const sub = cmd.commands.find(c => c.name() === args[0])
  if (sub !== undefined) {
    expectAccepted(sub, args.slice(1), what)
    return
  }
  cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {}, outputError: () => {} })
  cmd.saveStateBeforeParse() // the command is a module singleton: each example parses on a clean slate
  try {
    const { operands, unknown } = cmd.parseOptions(args) // option values run through their parsers here
    expect(unknown, `${what}: unknown options`).toEqual([])
    for (const o of cmd.options.filter(o => o.mandatory)) expect(cmd.getOptionValue(o.attributeName()), `${what}: ${o.long ?? ''} is required`).toBeDefined()
    const declared = cmd.registeredArguments
    expect(operands.length, `${what}: arguments`).toBeGreaterThanOrEqual(declared.filter(a => a.required).length)
    if (!declared.some(a => a.variadic)) expect(operands.length, `${what}: arguments`).toBeLessThanOrEqual(declared.length)
    declared.forEach((a, i) => { if (operands[i] !== undefined && a.parseArg !== undefined) a.parseArg(operands[i], undefined) })
  } finally {
    cmd.restoreStateBeforeParse()
  }
}

describe('CLI examples', () => {
  it('every command\'s --help shows an example that starts `hivebench <command>`, and commander accepts every example', { timeout: 180_000 }, async () => {
    for (const { name } of COMMAND_LIST) {
      const help = runCli([name, '--help'])
      expect(help.code, name).toBe(0)
      const examples = examplesOf(help.stdout)
      expect(examples.some(e => e.startsWith(`hivebench ${name} `) || e === `hivebench ${name}`), `${name} --help:\n${help.stdout}`).toBe(true)
      for (const example of examples) {
        const args = invocation(example, name)
        expect(args[0], example).toBe(name)
        expectAccepted(await LOADERS[name](), args.slice(1), example)
      }
    }
  })

  it('the check rejects what commander rejects', async () => {
    const best = await LOADERS.best()
    expect(() => { expectAccepted(best, ['bug_fix', '--bogus'], 'unknown option') }).toThrow(/unknown options/)
    expect(() => { expectAccepted(best, ['bug_fix', '--scope', 'galaxy'], 'bad value') }).toThrow(/local or hive/)
    expect(() => { expectAccepted(best, [], 'missing argument') }).toThrow(/arguments/)
    const [run, completion] = [await LOADERS.run(), await LOADERS.completion()]
    expect(() => { expectAccepted(run, ['--tool', 'aider'], 'mandatory option') }).toThrow(/--task-type is required/)
    expect(() => { expectAccepted(completion, ['tcsh'], 'bad argument') }).toThrow(/bash, zsh or fish/)
    expect(invocation('eval "$(hivebench completion bash)"  # in ~/.bashrc', 'completion')).toEqual(['completion', 'bash'])
    expect(invocation('hivebench route bug_fix --seed "$TASK_ID" || true', 'route')).toEqual(['route', 'bug_fix', '--seed', '$TASK_ID'])
  })
})
