import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DAY_MS } from '../src/core/time.js'
import { ValidationError } from '../src/errors.js'
import { openTracker } from '../src/tracker.js'
import { tempDir } from './helpers/tmp.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open = (dataDir = tempDir()) => openTracker({ dataDir, now: () => NOW })
const count = (dataDir: string, sql: string): number => {
  const t = open(dataDir)
  try { return Number(t.store.db.prepare(sql).pluck().get()) } finally { t.close() }
}

describe('recording', () => {
  it('counts the same id once (idempotency), within a batch and across calls', () => {
    const t = open()
    expect(t.record({ task_type: 'a', tool: 'x', success: true, id: 'k1' })).toEqual({ recorded: 1, duplicates: 0 })
    expect(t.record({ task_type: 'a', tool: 'x', success: true, id: 'k1' })).toEqual({ recorded: 0, duplicates: 1 })
    expect(t.recordBatch([
      { task_type: 'a', tool: 'x', success: true, id: 'k2' },
      { task_type: 'a', tool: 'x', success: true, id: 'k2' },
      { task_type: 'a', tool: 'x', success: true }
    ])).toEqual({ recorded: 2, duplicates: 1 })
    expect(t.best('a', { minSamples: 1 }).best?.n).toBe(3)
    t.close()
  })

  it('stores nothing when one row of a batch is bad, and names the row', () => {
    const dir = tempDir()
    const t = open(dir)
    t.record({ task_type: 'a', tool: 'x', success: true })
    const before = t.store.localCounters()
    const rows = Array.from({ length: 10 }, (_, i) => ({ task_type: 'a', tool: 'x', success: true, duration_s: i === 5 ? -1 : 3 }))
    let error: unknown
    try { t.recordBatch(rows) } catch (err) { error = err }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).message).toBe('row 6: duration_s: must be > 0 (omit it when unknown)')
    expect((error as ValidationError).location).toEqual({ kind: 'row', index: 6 })
    expect(t.store.localCounters()).toEqual(before)
    t.close()
    expect(count(dir, 'SELECT SUM(count) FROM outcome_batches')).toBe(1)
  })

  it('keeps everything across a restart', () => {
    const dir = tempDir()
    const t = open(dir)
    t.recordBatch(Array.from({ length: 20 }, (_, i) => ({ task_type: 'a', tool: 'x', success: i % 4 !== 0, duration_s: 1 + i, cost_usd: 0.01 * i, id: `r${i}` })))
    const best = t.best('a')
    const counters = t.store.localCounters()
    t.close()
    const again = open(dir)
    expect(again.best('a')).toEqual(best)
    expect(again.store.localCounters()).toEqual(counters)
    expect(again.record({ task_type: 'a', tool: 'x', success: true, id: 'r3' }).duplicates).toBe(1)
    again.close()
  })

  it('creates the data dir owner-only', async () => {
    const { statSync } = await import('node:fs')
    const dir = `${tempDir()}/nested/data`
    open(dir).close()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })
})

const outcomeArb = fc.record({
  task_type: fc.constantFrom('bug_fix', 'code_review', 'refactor'),
  tool: fc.constantFrom('aider', 'claude-code', 'ruff'),
  model: fc.constantFrom('', 'm1', 'm2'),
  outcome: fc.constantFrom('pass', 'grader_fail', 'timeout', 'no_tool_calls', 'error'),
  duration_s: fc.option(fc.double({ min: 0.0001, max: 604800, noNaN: true }).filter(x => x > 0), { nil: undefined }),
  cost_usd: fc.option(fc.double({ min: 0, max: 1000, noNaN: true }), { nil: undefined }),
  offloaded: fc.boolean(),
  id: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
  at: fc.integer({ min: 0, max: 80 }).map(d => new Date(NOW - d * DAY_MS - 1000).toISOString())
}, { requiredKeys: ['task_type', 'tool', 'outcome'] })

describe('counters', () => {
  it('equal a from-scratch recomputation over raw outcomes after random inserts (property)', () => {
    fc.assert(fc.property(fc.array(fc.array(outcomeArb, { maxLength: 20 }), { maxLength: 6 }), (batches) => {
      const t = open()
      try {
        for (const batch of batches) {
          if (batch.length === 1) t.record(batch[0])
          else t.recordBatch(batch)
        }
        expect(t.store.localCounters()).toEqual(t.store.recomputeLocalCounters())
        // The window rollup agrees with summing day counters.
        for (const taskType of ['bug_fix', 'code_review', 'refactor']) {
          const viaRollup = t.store.arms({ scope: 'local', taskType, windowDays: 30, nowMs: NOW })
          // Same first day (today - 29) through the other path: a 31-day window seen from tomorrow.
          const viaDays = t.store.arms({ scope: 'local', taskType, windowDays: 31, nowMs: NOW + DAY_MS })
          expect(sortArms(viaRollup)).toEqual(sortArms(viaDays))
        }
      } finally {
        t.close()
      }
    }), { numRuns: 60 })
  })
})

function sortArms<T extends { tool: string, model: string }> (arms: T[]): T[] {
  return [...arms].sort((a, b) => (a.tool + '\0' + a.model).localeCompare(b.tool + '\0' + b.model))
}

describe('query cache', () => {
  it('answers change as soon as any writer (this connection or another process) commits', () => {
    const dir = tempDir()
    const reader = open(dir)
    const writer = open(dir)
    reader.record({ task_type: 'a', tool: 'x', success: true })
    expect(reader.best('a', { minSamples: 1 }).best?.n).toBe(1)
    expect(reader.best('a', { minSamples: 1 }).best?.n).toBe(1) // cached
    writer.record({ task_type: 'a', tool: 'x', success: false })
    expect(reader.best('a', { minSamples: 1 }).best).toMatchObject({ n: 2, pass: 1 })
    reader.record({ task_type: 'a', tool: 'x', success: true })
    expect(reader.best('a', { minSamples: 1 }).best).toMatchObject({ n: 3, pass: 2 })
    // cached answers are shared: every level of them is frozen
    const cached = reader.best('a', { minSamples: 1 })
    expect(() => { (cached.ranking as unknown[]).push(1) }).toThrow()
    expect(() => { Object.assign(cached.ranking[0], { n: 99 }) }).toThrow()
    expect(() => { Object.assign(cached.ranking[0].outcomes, { pass: 99 }) }).toThrow()
    expect(reader.best('a', { minSamples: 1 }).best).toMatchObject({ n: 3, pass: 2, outcomes: { pass: 2 } })
    reader.close()
    writer.close()
  })
})

describe('group commit (recordSoon)', () => {
  it('concurrent single outcomes share a transaction and each learns its own fate', async () => {
    const t = open()
    t.record({ task_type: 'a', tool: 'x', success: true, id: 'old' })
    const changesBefore = Number(t.store.changeStamp().split(':')[0])
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => t.recordSoon({ task_type: 'a', tool: 'x', success: i % 2 === 0, id: `k${i}` })),
      t.recordSoon({ task_type: 'a', tool: 'x', success: true, id: 'old' }),
      t.recordSoon({ task_type: 'a', tool: 'x', success: true, id: 'k3' })
    ])
    expect(results.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => ({ recorded: 1, duplicates: 0 })))
    expect(results.slice(20)).toEqual([{ recorded: 0, duplicates: 1 }, { recorded: 0, duplicates: 1 }])
    expect(t.best('a', { minSamples: 1 }).best).toMatchObject({ n: 21, pass: 11 })
    expect(t.store.localCounters()).toEqual(t.store.recomputeLocalCounters())
    // one transaction: the outcomes rows plus one counters row, one change mark and one rollup row
    expect(Number(t.store.changeStamp().split(':')[0]) - changesBefore).toBeLessThan(30)
    expect(() => t.recordSoon({ task_type: 'a', tool: 'x' })).toThrow(ValidationError)
    t.close()
  })
})
