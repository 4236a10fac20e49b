import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

/**
 * Every README block fenced as ```sh runnable is run here, in README order, on one fresh data
 * dir (as a reader following the README would): each `$ hivebench ...` line must exit 0, and its
 * stdout must have the shape of the lines below it (numbers match any number, `...` anything,
 * a line of only `...` any number of lines).
 */
const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')

interface Step { command: string, expected: string[] }

function runnableSteps (markdown: string): Step[] {
  const steps: Step[] = []
  for (const block of markdown.matchAll(/^```sh runnable\n([\s\S]*?)^```$/gm)) {
    for (const line of block[1].split('\n')) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] })
      else if (line !== '' || steps.length > 0) steps.at(-1)?.expected.push(line)
    }
  }
  for (const s of steps) while (s.expected.at(-1) === '') s.expected.pop()
  return steps
}

/** Words of a command line: double- and single-quoted strings are one word; no other shell syntax. */
function words (command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map(m => m[1] ?? m[2] ?? m[3])
}

const lineShape = (line: string): RegExp => new RegExp('^' + line.split('...').map(part =>
  part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+(\\\.\d+)?/g, '-?\\d+(\\.\\d+)?')).join('.*') + '$')

function matchesShape (actual: string[], expected: string[]): boolean {
  if (expected.length === 0) return true
  const [head, ...rest] = expected
  if (head === '...') {
    for (let i = 0; i <= actual.length; i++) if (matchesShape(actual.slice(i), rest)) return true
    return false
  }
  return actual.length > 0 && lineShape(head).test(actual[0]) && matchesShape(actual.slice(1), rest)
}

describe('README runnable blocks', () => {
  const steps = runnableSteps(README)

  it('finds the marked blocks', () => {
    expect(steps.length).toBeGreaterThanOrEqual(5)
    expect(matchesShape(['recorded 12 outcomes'], ['recorded 1 outcome'])).toBe(false)
    expect(matchesShape(['a', 'b', 'c'], ['a', '...', 'c'])).toBe(true)
  })

  it('runs every one, in order, on a fresh data dir, with the output shape the README shows', () => {
    const env = { HIVEBENCH_DATA_DIR: tempDir() }
    for (const step of steps) {
      const [program, ...args] = words(step.command)
      expect(program, step.command).toBe('hivebench')
      const r = runCli(args, env)
      expect(r.code, `${step.command}\n${r.stderr}`).toBe(0)
      const actual = r.stdout.replace(/\n$/, '').split('\n')
      expect(matchesShape(actual, step.expected), `${step.command}\nREADME:\n${step.expected.join('\n')}\nactual:\n${actual.join('\n')}`).toBe(true)
    }
  }, 120_000)
})
