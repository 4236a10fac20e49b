import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maxCounters } from '../src/core/counters.js'
import { encodeHist, histTotal, quantiles, UPPER_BOUNDS } from '../src/core/histogram.js'
import { OUTCOME_CLASSES, type Counters } from '../src/core/types.js'
import { MAX_COST_MICROS, MAX_DURATION_MS } from '../src/protocol/index.js'
import { entryArb } from './protocol/arbitraries.js'

/**
 * The merged invariant of protocol/README.md ("Merge semantics", r2.2): what the element-wise max
 * of entries that each passed R14-R18 always satisfies, whatever an origin signed and in whatever
 * order it arrived. R15's and R17's equalities are not part of it: an origin that signs two
 * states that are not ordered gets their join (more classes than n, more histogram samples than
 * n_duration), and no check of the merged result could refuse that without depending on arrival
 * order.
 */
function mergedInvariantBreach (c: Counters): string | undefined {
  const all = [c.n, ...OUTCOME_CLASSES.map(k => c[k]), c.offloaded, c.sumDurationMs, c.nDuration, c.sumCostMicros, c.nCost, ...c.hist.values()]
  if (!all.every(v => Number.isSafeInteger(v) && v >= 0)) return 'a counter outside 0..2^53-1'
  if (c.n < 1) return 'n < 1'
  for (const k of OUTCOME_CLASSES) if (c[k] > c.n) return `${k} > n`
  if (c.offloaded > c.n || c.nDuration > c.n || c.nCost > c.n) return 'offloaded, n_duration or n_cost > n'
  if (OUTCOME_CLASSES.reduce((s, k) => s + c[k], 0) < c.n) return 'classes sum below n'
  for (const v of c.hist.values()) if (v > c.nDuration) return 'a bucket count > n_duration'
  if (histTotal(c.hist) < c.nDuration) return 'histogram total below n_duration'
  if (c.sumDurationMs > c.nDuration * MAX_DURATION_MS) return 'sum_duration_ms > n_duration x MAX_DURATION_MS'
  if (c.sumCostMicros > c.nCost * MAX_COST_MICROS) return 'sum_cost_micros > n_cost x MAX_COST_MICROS'
  return undefined
}

/** R15 and R17's equalities, which a single valid entry satisfies. */
const strictlyConsistent = (c: Counters): boolean =>
  OUTCOME_CLASSES.reduce((s, k) => s + c[k], 0) === c.n && histTotal(c.hist) === c.nDuration

describe('the merged invariant (element-wise max of valid entries)', () => {
  it('holds for the merge of any entries, in any order and grouping', () => {
    fc.assert(fc.property(fc.array(entryArb, { minLength: 1, maxLength: 5 }), entries => {
      const merged = entries.reduce<Counters>((acc, e) => maxCounters(acc, e), entries[0])
      expect(mergedInvariantBreach(merged)).toBeUndefined()
      // the same join whatever the order (the G-Counter's convergence)
      const reversed = [...entries].reverse().reduce<Counters>((acc, e) => maxCounters(acc, e), entries.at(-1) as Counters)
      expect(reversed).toEqual(merged)
      // a join: merging any input again (or the result itself) changes nothing, so replays are harmless
      for (const e of entries) expect(maxCounters(merged, e)).toEqual(merged)
      expect(maxCounters(merged, merged)).toEqual(merged)
      // quantiles read the histogram's own total, so a join with more samples than n_duration still gives bucket values
      const [p50, p90] = quantiles(encodeHist(merged.hist), [0.5, 0.9])
      if (histTotal(merged.hist) > 0) {
        expect(p50).not.toBeNull()
        expect(p90 as number).toBeGreaterThanOrEqual(p50 as number)
        expect(p90 as number).toBeLessThanOrEqual(UPPER_BOUNDS[UPPER_BOUNDS.length - 1])
      }
    }), { numRuns: 300 })
  })

  it('is all a receiver can require: the join of two unordered states breaks R15/R17 equality', () => {
    // the case: n_duration 4 in two signed states whose buckets differ
    const state = (bucket: number): Counters => ({
      n: 4, pass: 4, grader_fail: 0, timeout: 0, no_tool_calls: 0, error: 0, offloaded: 0,
      sumDurationMs: 4000, nDuration: 4, sumCostMicros: 0, nCost: 0, hist: new Map([[bucket, 4]])
    })
    const merged = maxCounters(state(60), { ...state(70), hist: new Map([[60, 2], [70, 2]]) })
    expect(merged.nDuration).toBe(4)
    expect(histTotal(merged.hist)).toBe(6)
    expect(strictlyConsistent(merged)).toBe(false)
    expect(mergedInvariantBreach(merged)).toBeUndefined()
    // and fast-check finds such pairs among arbitrary valid entries
    const found = fc.check(fc.property(entryArb, entryArb, (a, b) => strictlyConsistent(maxCounters(a, b))), { numRuns: 300 })
    expect(found.failed).toBe(true)
  })
})
