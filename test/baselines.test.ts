import { afterEach, describe, expect, it } from 'vitest'
import { openTracker, type Tracker } from '../src/tracker.js'
import { ValidationError } from '../src/errors.js'
import { emptyScalars } from '../src/core/types.js'
import { sinceBaseline } from '../src/gate/sides.js'
import { fileNode, type TestNode } from './helpers/nodes.js'
import { tempDir } from './helpers/tmp.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const DAY = 86_400_000
let clock = NOW
const now = (): number => clock
const closers: Array<() => void> = []
afterEach(() => {
  while (closers.length > 0) closers.pop()?.()
  clock = NOW
})
const tracker = (dataDir = tempDir()): Tracker => {
  const t = openTracker({ dataDir, now })
  closers.push(() => { t.close() })
  return t
}
const node = async (): Promise<TestNode> => {
  const n = await fileNode({ now })
  closers.push(n.close)
  return n
}

/** `pass` passes then `fail` failures of one arm, durations spread around `median` seconds. */
function outcomes (taskType: string, tool: string, pass: number, fail: number, median = 30, extra: Record<string, unknown> = {}): unknown[] {
  const n = pass + fail
  return Array.from({ length: n }, (_, i) => ({
    task_type: taskType,
    tool,
    outcome: i < pass ? 'pass' : 'grader_fail',
    duration_s: median * Math.exp(((i * 7919) % n / n - 0.5) * 1.5),
    ...extra
  }))
}

describe('baselines', () => {
  it('survive a restart and are untouched by later writes', () => {
    const dir = tempDir()
    const a = tracker(dir)
    a.recordBatch([...outcomes('bug_fix', 'aider', 70, 30), ...outcomes('refactor', 'ruff', 10, 10)])
    const captured = a.captureBaseline({ name: 'v1', scope: 'local', note: 'before the upgrade', gitSha: 'abc123' })
    expect(captured).toMatchObject({ name: 'v1', scope: 'local', arms: 2, note: 'before the upgrade', git_sha: 'abc123', from: '2026-10-25', to: '2026-11-23' })
    const before = a.showBaseline('v1')
    a.recordBatch(outcomes('bug_fix', 'aider', 5, 50))
    expect(a.showBaseline('v1')).toEqual(before)
    a.close()
    closers.pop()

    const b = tracker(dir)
    expect(b.showBaseline('v1')).toEqual(before)
    expect((before?.arms as Array<Record<string, unknown>>)?.[0]).toMatchObject({ task_type: 'bug_fix', tool: 'aider', n: 100, pass: 70 })
    expect(b.listBaselines().map(x => x.name)).toEqual(['v1'])
    expect(b.deleteBaseline('v1')).toBe(true)
    expect(b.deleteBaseline('v1')).toBe(false)
    expect(b.showBaseline('v1')).toBeNull()
  })

  it('refuses a candidate whose counters shrank below the frozen ones (the difference would be a guess)', () => {
    const arm = (n: number, pass: number) => ({ taskType: 'bug_fix', tool: 'aider', model: '', totals: { ...emptyScalars(), n, pass }, hist: null })
    expect(sinceBaseline(arm(30, 20), arm(10, 5), 'v1').totals).toMatchObject({ n: 20, pass: 15 })
    expect(() => sinceBaseline(arm(30, 20), arm(40, 5), 'v1')).toThrow(/below the frozen ones/)
  })

  it('gates the outcomes recorded since the capture, and remembers the last result', () => {
    const t = tracker()
    t.recordBatch(outcomes('bug_fix', 'aider', 700, 300))
    t.captureBaseline({ name: 'v1' })
    // nothing new yet: never a pass on missing data
    const empty = t.gate({ baseline: 'v1' })
    expect(empty).toMatchObject({ verdict: 'insufficient_evidence', exit_code: 3, rows: [] })
    expect(empty.not_compared).toEqual([{ task_type: 'bug_fix', tool: 'aider', model: '', missing: 'new' }])
    t.recordBatch(outcomes('bug_fix', 'aider', 500, 500))
    const answer = t.gate({ baseline: 'v1' })
    expect(answer).toMatchObject({ verdict: 'regression', exit_code: 4, old: { kind: 'baseline', name: 'v1' }, new: { kind: 'current', since: 'v1' } })
    expect(answer.rows[0]).toMatchObject({ task_type: 'bug_fix', old: { n: 1000, pass: 700 }, new: { n: 1000, pass: 500 }, verdict: 'regression' })
    expect(t.listBaselines()[0]).toMatchObject({ last_gate: { verdict: 'regression', exit_code: 4 } })
    expect(t.listBaselines()[0].last_gate_at).toBe(new Date(NOW).toISOString())

    // a clock that jumps back before the capture day, or forward past the retention window, is named, not guessed around
    clock = NOW - 2 * DAY
    expect(() => t.gate({ baseline: 'v1' })).toThrow(/captured on 2026-11-23, after today \(2026-11-21\): the clock moved back/)
    clock = NOW + 80 * DAY
    expect(() => t.gate({ baseline: 'v1' })).toThrow(/starts before the retention window/)
    expect(t.listBaselines()[0].last_gate_at).toBe(new Date(NOW).toISOString())
  })

  it('compares two baselines, and two arms on live data (tool@version)', () => {
    const t = tracker()
    t.recordBatch([...outcomes('bug_fix', 'aider@0.85', 700, 300), ...outcomes('docs', 'aider@0.85', 60, 40)])
    t.captureBaseline({ name: 'old' })
    t.recordBatch([...outcomes('bug_fix', 'aider@0.85', 700, 300), ...outcomes('docs', 'aider@0.85', 60, 40)])
    t.captureBaseline({ name: 'new' })
    const same = t.gate({ baseline: 'old', candidateBaseline: 'new', taskTypes: ['bug_fix'] })
    expect(same.rows).toHaveLength(1)
    expect(same.rows[0]).toMatchObject({ old: { n: 1000 }, new: { n: 2000 } })

    t.recordBatch([...outcomes('bug_fix', 'aider@0.86', 450, 550, 60), ...outcomes('docs', 'aider@0.86', 58, 42), ...outcomes('lint', 'aider@0.85', 5, 5)])
    const live = t.gate({ old: 'aider@0.85', new: 'aider@0.86' })
    expect(live.rows.map(r => r.task_type)).toEqual(['bug_fix', 'docs', 'overall'])
    expect(live.rows[0]).toMatchObject({ verdict: 'regression', old: { tool: 'aider@0.85', model: '*' }, new: { tool: 'aider@0.86' } })
    expect(live.verdict).toBe('regression')
    expect(live.not_compared).toEqual([{ task_type: 'lint', tool: 'aider@0.85', model: '*', missing: 'new' }])
  })

  it('bad input is one error naming the field, and stores nothing', () => {
    const t = tracker()
    t.recordBatch(outcomes('bug_fix', 'aider', 7, 3))
    const bad: Array<[() => unknown, string]> = [
      [() => t.captureBaseline({ name: '../etc' }), 'name'],
      [() => t.captureBaseline({ name: 'x', scope: 'galaxy' as 'local' }), 'scope'],
      [() => t.captureBaseline({ name: 'x', windowDays: 0 }), 'window_days'],
      [() => t.captureBaseline({ name: 'x', taskTypes: ['nothing-here'] }), 'task_type'],
      [() => t.gate({ baseline: 'missing' }), 'baseline'],
      [() => t.gate({}), 'baseline'],
      [() => t.gate({ old: 'aider' }), 'new'],
      [() => t.gate({ old: 'aider', new: 'aider/' }), 'new'],
      [() => t.gate({ old: 'aider', new: 'aider' }), 'new'],
      [() => t.gate({ old: 'aider', new: 'ruff', arms: ['aider'] }), 'arm'],
      [() => t.gate({ old: 'aider', new: 'ruff', candidateBaseline: 'v0' }), 'candidate']
    ]
    for (const [fn, field] of bad) {
      expect(fn).toThrow(ValidationError)
      try { fn() } catch (err) { expect((err as ValidationError).field).toBe(field) }
    }
    expect(t.listBaselines()).toEqual([])
    t.captureBaseline({ name: 'v1' })
    expect(() => t.captureBaseline({ name: 'v1' })).toThrow(/exists/)
    for (const input of [{ confidence: 1 }, { confidence: 0.4 }, { maxDrop: -0.05 }, { maxSlowdown: -1 }, { arms: [''] }]) {
      expect(() => t.gate({ baseline: 'v1', ...input })).toThrow(ValidationError)
    }
    expect(t.listBaselines()[0].last_gate).toBeNull()
  })

  it('the gate over hive scope equals the gate over one node holding the same outcomes (real signed envelopes)', async () => {
    const [a, b] = [await node(), await node()]
    const single = tracker()
    const before = {
      a: [...outcomes('bug_fix', 'aider', 300, 100), ...outcomes('docs', 'aider', 80, 40, 12)],
      b: [...outcomes('bug_fix', 'aider', 280, 120, 40), ...outcomes('docs', 'ruff', 50, 50, 5)]
    }
    const after = {
      a: [...outcomes('bug_fix', 'aider', 200, 200, 45), ...outcomes('docs', 'aider', 70, 50, 12)],
      b: [...outcomes('bug_fix', 'aider', 210, 190, 50), ...outcomes('docs', 'ruff', 55, 45, 5)]
    }
    const exchange = (): void => {
      for (const bytes of b.sharing.export('delta')?.envelopes ?? []) expect(a.receiver.receive(bytes).verdict).toBe('accepted')
      for (const bytes of a.sharing.export('delta')?.envelopes ?? []) expect(b.receiver.receive(bytes).verdict).toBe('accepted')
    }
    a.tracker.recordBatch(before.a)
    b.tracker.recordBatch(before.b)
    single.recordBatch([...before.a, ...before.b])
    exchange()
    a.tracker.captureBaseline({ name: 'v1', scope: 'hive' })
    single.captureBaseline({ name: 'v1', scope: 'local' })
    expect(a.tracker.showBaseline('v1')?.arms).toEqual((single.showBaseline('v1')?.arms as Array<Record<string, unknown>>)?.map(arm => ({ ...arm, origins: 2 - Number(arm.tool === 'ruff') - Number(arm.task_type === 'docs' && arm.tool === 'aider') })))

    a.tracker.recordBatch(after.a)
    b.tracker.recordBatch(after.b)
    single.recordBatch([...after.a, ...after.b])
    exchange()
    const hive = a.tracker.gate({ baseline: 'v1' })
    const local = single.gate({ baseline: 'v1' })
    expect(hive.rows.length).toBe(4)
    expect(hive.rows).toEqual(local.rows)
    expect(hive.verdict).toBe(local.verdict)
    expect(hive.rows.find(r => r.task_type === 'bug_fix')?.verdict).toBe('regression')
  })

  it('drift: an arm whose last week regressed against the week before is listed', () => {
    const t = tracker()
    const at = (daysAgo: number): Record<string, unknown> => ({ at: new Date(NOW - daysAgo * DAY).toISOString() })
    t.recordBatch([...outcomes('bug_fix', 'aider', 160, 40, 30, at(10)), ...outcomes('bug_fix', 'ruff', 100, 100, 30, at(10))])
    t.recordBatch([...outcomes('bug_fix', 'aider', 80, 120, 30, at(2)), ...outcomes('bug_fix', 'ruff', 100, 100, 30, at(2))])
    const drift = t.drift()
    expect(drift).toMatchObject({ window_days: 7, arms_checked: 2 })
    expect(drift.regressions).toHaveLength(1)
    expect(drift.regressions[0]).toMatchObject({ task_type: 'bug_fix', tool: 'aider', model: '' })
    expect(drift.regressions[0].pass_rate_drop).toBeCloseTo(0.5, 12)
  })

  it('trend: a falling arm declines and a flat one is stable, from the day counters', () => {
    const t = tracker()
    for (let d = 0; d < 20; d++) {
      const at = { at: new Date(NOW - (19 - d) * DAY).toISOString() }
      t.recordBatch([...outcomes('bug_fix', 'aider', 40 - d, 10 + d, 30, at), ...outcomes('bug_fix', 'ruff', 25, 25, 30, at)])
    }
    const r = t.trend({ taskType: 'bug_fix', days: 30 })
    expect(r).toMatchObject({ task_type: 'bug_fix', scope: 'hive', days: 30, from: '2026-10-25', to: '2026-11-23' })
    expect(r.arms.map(a => [a.tool, a.classification])).toEqual([['aider', 'declining'], ['ruff', 'stable']])
    expect(r.arms[0].points).toHaveLength(20)
    expect(r.arms[0].points[0]).toMatchObject({ date: '2026-11-04', n: 50, pass: 40 })
    expect(t.trend({ taskType: 'bug_fix', arms: ['ruff'] }).arms.map(a => a.tool)).toEqual(['ruff'])
  })
})
