import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

/** A CSV of `pass` passes and `fail` failures per (task type, tool). */
function csv (dir: string, name: string, rows: Array<[string, string, number, number]>): string {
  const lines = ['task_type,tool,outcome,duration_s']
  for (const [taskType, tool, pass, fail] of rows) {
    for (let i = 0; i < pass + fail; i++) lines.push(`${taskType},${tool},${i < pass ? 'pass' : 'grader_fail'},${(20 + (i * 37) % 40).toFixed(1)}`)
  }
  const file = join(dir, name)
  writeFileSync(file, lines.join('\n'))
  return file
}

describe('hivebench baseline / gate / trend (CLI)', () => {
  it('exits 0, 3 or 4 by verdict, 1 on bad input with one line and nothing stored', () => {
    const dir = tempDir()
    const d = ['--data-dir', dir]
    expect(runCli(['import', csv(dir, 'a.csv', [['bug_fix', 'aider', 7000, 3000], ['docs', 'aider', 14, 6]]), ...d]).code).toBe(0)
    const captured = runCli(['baseline', 'capture', 'v1', '--note', 'release 1', '--git-sha', 'abc', ...d])
    expect(captured.stdout).toContain('captured baseline v1: 2 arms')

    const bad: Array<[string[], string]> = [
      [['gate', '--baseline', 'nope'], 'hivebench: baseline: no baseline named nope (see hivebench baseline list)'],
      [['gate', '--baseline', 'v1', '--confidence', '1'], 'hivebench: confidence: must be a number strictly between 0.5 and 1 (e.g. 0.95)'],
      [['gate', '--baseline', 'v1', '--confidence', '0.3'], 'hivebench: confidence: must be a number strictly between 0.5 and 1 (e.g. 0.95)'],
      [['gate', '--baseline', 'v1', '--max-drop=-0.05'], 'hivebench: max_drop: must be a number from 0 to below 1 (a relative pass-rate drop: 0.05 = 5%)'],
      [['gate', '--baseline', 'v1', '--max-slowdown', 'fast'], 'hivebench: max_slowdown: must be a number from 0 to 100 (a relative slowdown: 0.05 = 5%)'],
      [['baseline', 'capture', 'bad name'], 'hivebench: name: must start with a letter or digit and use only letters, digits and . _ @ + - (at most 128)'],
      [['baseline', 'show', 'nope'], 'hivebench: name: no baseline named nope (see hivebench baseline list)']
    ]
    for (const [args, line] of bad) {
      const r = runCli([...args, ...d])
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr.trim()).toBe(line)
    }
    const list = JSON.parse(runCli(['baseline', 'list', '--json', ...d]).stdout)
    expect(list.baselines).toHaveLength(1)
    expect(list.baselines[0]).toMatchObject({ name: 'v1', note: 'release 1', git_sha: 'abc', last_gate: null })

    // the same rates again: bug_fix rules out a 5% drop (n = 10,000); docs (n = 20) cannot
    runCli(['import', csv(dir, 'b.csv', [['bug_fix', 'aider', 7000, 3000], ['docs', 'aider', 14, 6]]), ...d])
    const insufficient = runCli(['gate', '--baseline', 'v1', ...d])
    expect(insufficient.code).toBe(3)
    expect(insufficient.stdout).toMatch(/docs aider: .*more samples per side needed/)
    expect(runCli(['gate', '--baseline', 'v1', '--allow-insufficient', ...d]).code).toBe(0)
    const pass = runCli(['gate', '--baseline', 'v1', '--task-type', 'bug_fix', '--json', ...d])
    expect(pass.code).toBe(0)
    expect(JSON.parse(pass.stdout)).toMatchObject({ verdict: 'no_change', exit_code: 0, rows: [{ task_type: 'bug_fix', verdict: 'no_change' }] })

    runCli(['baseline', 'capture', 'v2', ...d])
    runCli(['import', csv(dir, 'c.csv', [['bug_fix', 'aider', 6000, 4000]]), ...d])
    const regression = runCli(['gate', '--baseline', 'v2', '--json', ...d])
    expect(regression.code).toBe(4)
    const answer = JSON.parse(regression.stdout)
    expect(answer.verdict).toBe('regression')
    expect(Object.keys(answer.rows[0])).toEqual(expect.arrayContaining(['task_type', 'old', 'new', 'verdict', 'pass_rate_drop', 'p_value']))
    expect(JSON.parse(runCli(['baseline', 'show', 'v2', '--json', ...d]).stdout)).toMatchObject({ name: 'v2', last_gate: { verdict: 'regression' } })
    expect(runCli(['baseline', 'delete', 'v2', ...d]).stdout).toContain('deleted baseline v2')
    expect(runCli(['baseline', 'delete', 'v2', ...d]).code).toBe(1)
  })

  it('trend prints a sparkline per arm', () => {
    const dir = tempDir()
    runCli(['import', csv(dir, 'a.csv', [['bug_fix', 'aider', 30, 10], ['bug_fix', 'ruff', 5, 5]]), '--data-dir', dir])
    const r = runCli(['trend', 'bug_fix', '--days', '7', '--data-dir', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/aider {2}n 40 {2}pass 75\.0% {2}\| {6}[▁▂▃▄▅▆▇█]\| {2}p50 \| {6}[▁▂▃▄▅▆▇█]\| {2}insufficient_evidence/)
    expect(runCli(['trend', 'bug_fix', '--days', '0', '--data-dir', dir]).stderr.trim()).toBe('hivebench: days: must be an integer from 1 to 90 (the retention window)')
  })
})
