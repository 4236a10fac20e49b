import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucketOf, encodeHist } from '../src/core/histogram.js'
import { checkGateOptions, gateExitCode, GATE_DEFAULTS, runGate, withOverallRows, type GatePair, type GateSide } from '../src/core/gate.js'
import { passRateDropP } from '../src/core/stats/proportions.js'
import { armTrend, type DayCounts } from '../src/core/trend.js'
import { ValidationError } from '../src/errors.js'

const OPTIONS = { maxDrop: GATE_DEFAULTS.maxDrop, maxSlowdown: GATE_DEFAULTS.maxSlowdown, confidence: GATE_DEFAULTS.confidence }

function hist (n: number, median: number): Buffer {
  const h = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const d = median * Math.exp(((i + 0.5) / n - 0.5) * 2)
    h.set(bucketOf(d), (h.get(bucketOf(d)) ?? 0) + 1)
  }
  return encodeHist(h)
}
const side = (pass: number, n: number, median: number | null = null): GateSide => ({ tool: 'aider', model: '', n, pass, hist: median === null ? null : hist(n, median) })
const pair = (old: GateSide, nu: GateSide, taskType = 'bug_fix'): GatePair => ({ taskType, old, new: nu })

describe('the gate (core)', () => {
  it('gives each verdict and its exit code', () => {
    const cases: Array<[GatePair, string, number]> = [
      [pair(side(700, 1000), side(500, 1000)), 'regression', 4],
      [pair(side(7000, 10_000), side(7000, 10_000)), 'no_change', 0],
      [pair(side(5000, 10_000), side(7000, 10_000)), 'improvement', 0],
      [pair(side(14, 20), side(14, 20)), 'insufficient_evidence', 3],
      // same pass rate, twice the latency
      [pair(side(7000, 10_000, 30), side(7000, 10_000, 60)), 'regression', 4],
      // same pass rate, half the latency
      [pair(side(7000, 10_000, 60), side(7000, 10_000, 30)), 'improvement', 0]
    ]
    for (const [p, verdict, code] of cases) {
      const result = runGate([p], OPTIONS)
      expect(result.rows[0].verdict, verdict).toBe(verdict)
      expect(result.verdict).toBe(verdict)
      expect(gateExitCode(result.verdict, false)).toBe(code)
    }
    expect(gateExitCode('insufficient_evidence', true)).toBe(0)
    expect(gateExitCode('regression', true)).toBe(4)
  })

  it('says how many more samples an insufficient row needs, and explains each verdict', () => {
    const [row] = runGate([pair(side(14, 20), side(14, 20))], OPTIONS).rows
    expect(row.samples_needed).toEqual({ per_side: 2017, more_per_side: 1997 })
    expect(row.reason).toContain('about 1997 more samples per side')
    const [reg] = runGate([pair(side(700, 1000, 30), side(500, 1000, 30))], OPTIONS).rows
    expect(reg.reason).toContain('a pass-rate drop beyond 5.0%')
    expect(reg.pass_rate_drop).toBeCloseTo(2 / 7, 12)
    expect(reg.p_value).toBeLessThan(1e-6)
    expect(reg.tests.p50_slowdown!.p).toBeGreaterThan(0.05)
    // no pass at all on either side: a drop can never be ruled out, and no sample count would change that
    expect(runGate([pair(side(0, 50), side(0, 50))], OPTIONS).rows[0].samples_needed).toEqual({ per_side: null, more_per_side: null })
  })

  it('never passes on missing data: no comparable rows is insufficient evidence', () => {
    const result = runGate([], OPTIONS)
    expect(result.verdict).toBe('insufficient_evidence')
    expect(gateExitCode(result.verdict, false)).toBe(3)
    expect(result.reason).toContain('nothing could be compared')
  })

  it('controls the false alarms of the whole gate with Holm: 12 borderline rows do not fail it, one alone does', () => {
    // a row whose own drop test is just significant (0.01 < p < 0.05)
    let newPass = 100
    while (passRateDropP(newPass, 200, 150, 200, 0.05) < 0.01) newPass++
    const p = passRateDropP(newPass, 200, 150, 200, 0.05)
    expect(p).toBeLessThan(0.05)
    const one = runGate([pair(side(150, 200), side(newPass, 200))], OPTIONS)
    expect(one.verdict).toBe('regression')
    const twelve = runGate(Array.from({ length: 12 }, (_, i) => pair(side(150, 200), side(newPass, 200), `t${i}`)), OPTIONS)
    expect(twelve.rows.every(r => r.tests.pass_rate_drop.p < 0.05)).toBe(true)
    expect(twelve.rows.some(r => r.verdict === 'regression')).toBe(false)
    expect(twelve.multiplicity).toContain('Holm-Bonferroni over 12 regression tests')
  })

  it('adds one pooled overall row per arm when two or more task types are compared', () => {
    const pairs = [pair(side(70, 100), side(60, 100), 'a'), pair(side(30, 50), side(20, 50), 'b')]
    const rows = withOverallRows(pairs)
    expect(rows).toHaveLength(3)
    expect(rows[2]).toMatchObject({ taskType: 'overall', old: { n: 150, pass: 100 }, new: { n: 150, pass: 80 } })
    expect(withOverallRows(pairs.slice(0, 1))).toHaveLength(1)
  })

  it('refuses thresholds outside their ranges, naming the field', () => {
    const bad: Array<[object, string]> = [
      [{ confidence: 1 }, 'confidence'], [{ confidence: 0.5 }, 'confidence'], [{ confidence: 'high' }, 'confidence'],
      [{ maxDrop: -0.1 }, 'max_drop'], [{ maxDrop: 1 }, 'max_drop'], [{ maxSlowdown: -1 }, 'max_slowdown'], [{ maxSlowdown: Number.NaN }, 'max_slowdown']
    ]
    for (const [input, field] of bad) {
      expect(() => checkGateOptions(input)).toThrow(ValidationError)
      try { checkGateOptions(input) } catch (err) { expect((err as ValidationError).field).toBe(field) }
    }
    expect(checkGateOptions({})).toEqual(OPTIONS)
  })
})

describe('trend classification (core)', () => {
  const series = (days: number, rate: (i: number) => number, median: (i: number) => number | null = () => null, n = 50): DayCounts[] =>
    Array.from({ length: days }, (_, i) => ({ day: 20_000 + i, n, pass: Math.round(n * rate(i)), hist: median(i) === null ? null : hist(n, median(i) as number) }))

  it('classifies rising, falling and flat pass rates, with the Cochran–Armitage p-value', () => {
    const rising = armTrend(series(30, i => 0.3 + 0.02 * i), 0.95)
    expect(rising.classification).toBe('improving')
    expect(rising.pass_rate).toMatchObject({ test: 'Cochran-Armitage', direction: 'rising' })
    expect(rising.p_value).toBeLessThan(1e-6)
    expect(armTrend(series(30, i => 0.9 - 0.02 * i), 0.95).classification).toBe('declining')
    const flat = armTrend(series(30, () => 0.7), 0.95)
    expect(flat.classification).toBe('stable')
    expect(flat.pass_rate!.p).toBeCloseTo(1, 12)
    expect(flat.points[0]).toMatchObject({ n: 50, pass: 35, pass_rate: 0.7 })
    expect(flat.points[0].wilson_lower).toBeLessThan(0.7)
  })

  it('a median that keeps rising is declining even when the pass rate is flat (Mann–Kendall)', () => {
    const slower = armTrend(series(20, () => 0.7, i => 10 + 2 * i), 0.95)
    expect(slower.p50).toMatchObject({ test: 'Mann-Kendall', direction: 'rising' })
    expect(slower.classification).toBe('declining')
    expect(armTrend(series(20, () => 0.7, i => 50 - 2 * i), 0.95).classification).toBe('improving')
  })

  it('is insufficient_evidence with fewer than 3 days or 10 outcomes', () => {
    expect(armTrend(series(2, () => 0.5), 0.95).classification).toBe('insufficient_evidence')
    expect(armTrend(series(5, () => 0.5, () => null, 1), 0.95).classification).toBe('insufficient_evidence')
  })
})

describe('the gate (properties)', () => {
  const sideArb = fc.integer({ min: 1, max: 500 }).chain(n => fc.record({
    n: fc.constant(n),
    pass: fc.integer({ min: 0, max: n }),
    median: fc.option(fc.double({ min: 0.5, max: 500, noNaN: true }), { nil: null })
  }))
  const toSide = (s: { n: number, pass: number, median: number | null }): GateSide => side(s.pass, s.n, s.median)

  it('swapping old and new swaps each regression test with its improvement test; every p-value is in [0, 1]', () => {
    fc.assert(fc.property(sideArb, sideArb, (a, b) => {
      const [ab] = runGate([pair(toSide(a), toSide(b))], OPTIONS).rows
      const [ba] = runGate([pair(toSide(b), toSide(a))], OPTIONS).rows
      expect(ab.tests.pass_rate_drop.p).toBe(ba.tests.pass_rate_gain.p)
      expect(ab.tests.p50_slowdown?.p).toBe(ba.tests.p50_speedup?.p)
      expect(ab.tests.p90_slowdown?.p).toBe(ba.tests.p90_speedup?.p)
      for (const t of Object.values(ab.tests)) {
        if (t === null) continue
        expect(t.p).toBeGreaterThanOrEqual(0)
        expect(t.p_adjusted).toBeGreaterThanOrEqual(t.p)
        expect(t.p_adjusted).toBeLessThanOrEqual(1)
      }
      // a row can never be shown both worse and not worse on its pass rate
      expect(ab.tests.pass_rate_drop.p + ab.tests.pass_rate_no_drop.p).toBeCloseTo(1, 12)
    }), { numRuns: 200 })
  })

  it('fewer passes on the new side never turn a regression into a pass (monotonicity)', () => {
    fc.assert(fc.property(sideArb, sideArb, (a, b) => {
      fc.pre(b.pass > 0)
      const worse = { ...b, pass: b.pass - 1 }
      const before = runGate([pair(toSide(a), toSide(b))], OPTIONS).rows[0]
      const after = runGate([pair(toSide(a), toSide(worse))], OPTIONS).rows[0]
      expect(after.tests.pass_rate_drop.p).toBeLessThanOrEqual(before.tests.pass_rate_drop.p + 1e-12)
      if (before.verdict === 'regression') expect(after.verdict).toBe('regression')
    }), { numRuns: 200 })
  })
})
