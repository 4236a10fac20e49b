import { describe, expect, it } from 'vitest'
import { openTracker } from '../src/tracker.js'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

/** `pass` passes and `fail` failures of aider on a task type. */
function outcomes (taskType: string, pass: number, fail: number): unknown[] {
  return Array.from({ length: pass + fail }, (_, i) => ({ task_type: taskType, tool: 'aider', outcome: i < pass ? 'pass' : 'grader_fail', duration_s: 20 + (i * 37) % 40 }))
}

/** A data dir prepared through the embedded API (each CLI call is a process: the test spends them on what it checks). */
function dataDir (steps: (t: ReturnType<typeof openTracker>) => void): string {
  const dir = tempDir()
  const t = openTracker({ dataDir: dir })
  try { steps(t) } finally { t.close() }
  return dir
}

// Each CLI call is a Node process start (1-2 s on a loaded machine).
describe('hivebench baseline / gate / trend (CLI)', { timeout: 90_000 }, () => {
  it('bad input is one line on stderr, exit 1, and nothing stored', () => {
    const dir = dataDir(t => {
      t.recordBatch(outcomes('bug_fix', 70, 30))
      t.captureBaseline({ name: 'v1', note: 'release 1', gitSha: 'abc' })
    })
    const bad: Array<[string[], string]> = [
      [['gate', '--baseline', 'nope'], 'hivebench: baseline: no baseline named nope (see hivebench baseline list)'],
      [['gate', '--baseline', 'v1', '--confidence', '1'], 'hivebench: confidence: must be a number strictly between 0.5 and 1 (e.g. 0.95)'],
      [['gate', '--baseline', 'v1', '--max-drop=-0.05'], 'hivebench: max_drop: must be a number from 0 to below 1 (a relative pass-rate drop: 0.05 = 5%)'],
      [['gate', '--baseline', 'v1', '--max-slowdown', 'fast'], 'hivebench: max_slowdown: must be a number from 0 to 100 (a relative slowdown: 0.05 = 5%)'],
      [['baseline', 'capture', 'bad name'], 'hivebench: name: must start with a letter or digit and use only letters, digits and . _ @ + - (at most 128)'],
      [['trend', 'bug_fix', '--days', '0'], 'hivebench: days: must be an integer from 1 to 90 (the retention window)']
    ]
    for (const [args, line] of bad) {
      const r = runCli([...args, '--data-dir', dir])
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr.trim()).toBe(line)
    }
    const list = JSON.parse(runCli(['baseline', 'list', '--json', '--data-dir', dir]).stdout)
    expect(list.baselines).toHaveLength(1)
    expect(list.baselines[0]).toMatchObject({ name: 'v1', note: 'release 1', git_sha: 'abc', arms: 1, last_gate: null })
  })

  it('exits 3 on insufficient evidence (0 when allowed), 0 when a drop is ruled out, 4 on a regression', () => {
    const dir = dataDir(t => {
      t.recordBatch([...outcomes('bug_fix', 7000, 3000), ...outcomes('docs', 14, 6)])
      t.captureBaseline({ name: 'v1' })
      // the same rates again: bug_fix rules out a 5% drop (n = 10,000); docs (n = 20) cannot
      t.recordBatch([...outcomes('bug_fix', 7000, 3000), ...outcomes('docs', 14, 6)])
    })
    const d = ['--baseline', 'v1', '--data-dir', dir]
    const insufficient = runCli(['gate', ...d])
    expect(insufficient.code).toBe(3)
    expect(insufficient.stdout).toMatch(/docs aider: .*more samples per side needed/)
    expect(insufficient.stdout).toContain('gate: insufficient_evidence (exit 3)')
    expect(runCli(['gate', '--allow-insufficient', ...d]).code).toBe(0)
    const pass = runCli(['gate', '--task-type', 'bug_fix', '--json', ...d])
    expect(pass.code).toBe(0)
    expect(JSON.parse(pass.stdout)).toMatchObject({ verdict: 'no_change', exit_code: 0, rows: [{ task_type: 'bug_fix', verdict: 'no_change' }] })

    const t = openTracker({ dataDir: dir })
    t.recordBatch(outcomes('bug_fix', 5000, 5000))
    t.close()
    const regression = runCli(['gate', '--json', ...d])
    expect(regression.code).toBe(4)
    const answer = JSON.parse(regression.stdout)
    expect(answer.verdict).toBe('regression')
    expect(Object.keys(answer.rows[0])).toEqual(expect.arrayContaining(['task_type', 'old', 'new', 'verdict', 'pass_rate_drop', 'p_value']))
    expect(JSON.parse(runCli(['baseline', 'show', 'v1', '--json', '--data-dir', dir]).stdout)).toMatchObject({ name: 'v1', last_gate: { verdict: 'regression' } })
    expect(runCli(['baseline', 'delete', 'v1', '--data-dir', dir]).stdout).toContain('deleted baseline v1')
    expect(runCli(['baseline', 'delete', 'v1', '--data-dir', dir]).stderr.trim()).toBe('hivebench: name: no baseline named v1 (see hivebench baseline list)')
  })

  it('trend prints a sparkline per arm', () => {
    const dir = dataDir(t => { t.recordBatch([...outcomes('bug_fix', 30, 10), ...outcomes('bug_fix', 5, 5).map(o => ({ ...(o as object), tool: 'ruff' }))]) })
    const r = runCli(['trend', 'bug_fix', '--days', '7', '--data-dir', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^arm\tn\tpass\tpass rate per day\tp50 per day\ttrend\tp$/m)
    expect(r.stdout).toMatch(/^aider\t40\t75\.0%\t {6}[▁▂▃▄▅▆▇█]\t {6}[▁▂▃▄▅▆▇█]\tinsufficient_evidence\t-$/m)
    expect(r.stdout).toMatch(/^ruff\t10\t50\.0%\t/m)
  })
})
