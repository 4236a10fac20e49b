import { describe, expect, it } from 'vitest'
import { openTracker, type Tracker } from '../src/tracker.js'
import { wilsonInterval } from '../src/core/wilson.js'
import { DAY_MS } from '../src/core/time.js'
import { tempDir } from './helpers/tmp.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')

function tracker (options: Parameters<typeof openTracker>[0] = {}): Tracker {
  return openTracker({ dataDir: tempDir(), now: () => NOW, ...options })
}

/** `pass` passes and `fail` grader failures for one arm, `duration` seconds each. */
function arm (tool: string, pass: number, fail: number, extra: Record<string, unknown> = {}): unknown[] {
  return [
    ...Array.from({ length: pass }, () => ({ task_type: 'bug_fix', tool, outcome: 'pass', ...extra })),
    ...Array.from({ length: fail }, () => ({ task_type: 'bug_fix', tool, outcome: 'grader_fail', ...extra }))
  ]
}

describe('wilson', () => {
  it('ranks 95/100 above 5/5', () => {
    expect(wilsonInterval(5, 5).lower).toBeCloseTo(0.566, 3)
    expect(wilsonInterval(95, 100).lower).toBeCloseTo(0.888, 3)
  })
})

describe('best()', () => {
  it('picks the clear winner and reports the JSON shape the README documents', () => {
    const t = tracker()
    t.recordBatch([...arm('aider', 18, 2, { duration_s: 30, cost_usd: 0.5 }), ...arm('ruff', 5, 15, { duration_s: 10 })])
    const r = t.best('bug_fix')
    expect(r.best?.tool).toBe('aider')
    expect(r.ranking.map(a => a.tool)).toEqual(['aider', 'ruff'])
    const best = r.best!
    expect(best).toMatchObject({ tool: 'aider', model: '', n: 20, pass: 18, pass_rate: 0.9, origins: 1, mean_cost_usd: 0.5 })
    expect(best.outcomes).toEqual({ pass: 18, grader_fail: 2, timeout: 0, no_tool_calls: 0, error: 0 })
    expect(best.wilson_lower).toBeCloseTo(wilsonInterval(18, 20).lower, 12)
    expect(best.p50_s! / 30).toBeGreaterThan(0.95)
    expect(best.p50_s! / 30).toBeLessThan(1.05)
    t.close()
  })

  it('5/5 loses to 95/100', () => {
    const t = tracker()
    t.recordBatch([...arm('five', 5, 0), ...arm('hundred', 95, 5)])
    const r = t.best('bug_fix')
    expect(r.best?.tool).toBe('hundred')
    expect(r.ranking[1].tool).toBe('five')
    t.close()
  })

  it('breaks a tie on the Wilson bound by the lower median duration', () => {
    const t = tracker()
    t.recordBatch([...arm('slow', 8, 2, { duration_s: 120 }), ...arm('fast', 8, 2, { duration_s: 20 })])
    expect(t.best('bug_fix').ranking.map(a => a.tool)).toEqual(['fast', 'slow'])
    t.close()
  })

  it('lists arms under the sample threshold but never makes them best', () => {
    const t = tracker()
    t.recordBatch([...arm('new', 4, 0), ...arm('old', 3, 7)])
    let r = t.best('bug_fix')
    expect(r.best?.tool).toBe('old')
    expect(r.ranking.find(a => a.tool === 'new')?.benchmarked).toBe(false)
    r = t.best('bug_fix', { minSamples: 20 })
    expect(r.best).toBeNull()
    expect(r.ranking).toHaveLength(2)
    t.close()
  })

  it('excludes days outside the window, on the rollup path and the day-sum path alike', () => {
    const t = tracker()
    const old = new Date(NOW - 40 * DAY_MS).toISOString()
    t.recordBatch([...arm('ancient', 50, 0, { at: old }), ...arm('recent', 6, 4)])
    expect(t.best('bug_fix').best?.tool).toBe('recent')
    expect(t.best('bug_fix').ranking.map(a => a.tool)).toEqual(['recent'])
    expect(t.best('bug_fix', { windowDays: 60 }).best?.tool).toBe('ancient')
    // The day-sum path (non-default window) agrees with the rollup on the default window's data.
    const viaRollup = t.best('bug_fix', { windowDays: 30 }).ranking
    const t2 = openTracker({ dataDir: t.store.dataDir, now: () => NOW, windowDays: 45 })
    expect(t2.best('bug_fix', { windowDays: 30 }).ranking).toEqual(viaRollup)
    t2.close()
    t.close()
  })

  it('filters by model', () => {
    const t = tracker()
    t.recordBatch([...arm('aider', 9, 1, { model: 'gpt' }), ...arm('codex', 6, 4, { model: 'claude' }), ...arm('aider', 1, 9, { model: 'claude' })])
    expect(t.best('bug_fix').best).toMatchObject({ tool: 'aider', model: 'gpt' })
    const r = t.best('bug_fix', { model: 'claude' })
    expect(r.best).toMatchObject({ tool: 'codex', model: 'claude' })
    expect(r.ranking.every(a => a.model === 'claude')).toBe(true)
    t.close()
  })

  it('rolls the window when the day changes', () => {
    let now = NOW
    const t = openTracker({ dataDir: tempDir(), now: () => now })
    t.recordBatch(arm('aider', 6, 0))
    expect(t.best('bug_fix').best?.n).toBe(6)
    now += 30 * DAY_MS
    expect(t.best('bug_fix').best).toBeNull()
    t.close()
  })
})
