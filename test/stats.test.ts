import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucketOf, encodeHist } from '../src/core/histogram.js'
import { holmAdjust } from '../src/core/stats/holm.js'
import { normalCdf, normalQuantile } from '../src/core/stats/normal.js'
import { passRateDropP, ratioScore, samplesPerSide } from '../src/core/stats/proportions.js'
import { histCdf, quantileSlowdownTest } from '../src/core/stats/quantile-test.js'
import { cochranArmitage, mannKendall } from '../src/core/stats/trend.js'

const counts = fc.integer({ min: 1, max: 2000 }).chain(n => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)))

/** The classic pooled two-proportion z statistic (the textbook formula, written independently). */
function pooledZ (x1: number, n1: number, x0: number, n0: number): number {
  const p = (x1 + x0) / (n1 + n0)
  return (x1 / n1 - x0 / n0) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
}

function histOf (durations: number[]): Buffer {
  const h = new Map<number, number>()
  for (const d of durations) h.set(bucketOf(d), (h.get(bucketOf(d)) ?? 0) + 1)
  return encodeHist(h)
}

describe('normal distribution', () => {
  it('matches known values to 1e-12', () => {
    expect(normalCdf(0)).toBe(0.5)
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12)
    expect(normalCdf(-1.6448536269514722)).toBeCloseTo(0.05, 12)
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 12)
    // the tail keeps its relative precision (no 1 - 1 cancellation)
    expect(normalCdf(-8) / 6.22096057427178e-16).toBeCloseTo(1, 9)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12)
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 12)
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9)
  })

  it('quantile inverts the CDF and both are monotone (property)', () => {
    fc.assert(fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), p => {
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 12)
    }))
    fc.assert(fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (x, d) => {
      expect(normalCdf(x + d)).toBeGreaterThanOrEqual(normalCdf(x))
      expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14)
    }))
  })
})

describe('Farrington–Manning ratio score test', () => {
  it('with no margin it is the pooled two-proportion z test (a textbook value)', () => {
    // 40/100 against 50/100: pooled 0.45, z = -0.1 / sqrt(0.45 * 0.55 * 0.02) = -1.4213, one-sided p = 0.0776
    expect(ratioScore(40, 100, 50, 100, 1).z).toBeCloseTo(-1.4213381090374029, 12)
    expect(passRateDropP(40, 100, 50, 100, 0)).toBeCloseTo(0.07761, 4)
    fc.assert(fc.property(counts, counts, ([x1, n1], [x0, n0]) => {
      fc.pre(x1 + x0 > 0 && x1 + x0 < n1 + n0)
      expect(ratioScore(x1, n1, x0, n0, 1).z).toBeCloseTo(pooledZ(x1, n1, x0, n0), 9)
    }))
  })

  it('its restricted estimate maximises the likelihood on the H0 boundary (property)', () => {
    const logLik = (p0: number, theta: number, x1: number, n1: number, x0: number, n0: number): number => {
      const term = (x: number, n: number, p: number): number => (x === 0 ? 0 : x * Math.log(p)) + (n - x === 0 ? 0 : (n - x) * Math.log(1 - p))
      return term(x1, n1, theta * p0) + term(x0, n0, p0)
    }
    fc.assert(fc.property(counts, counts, fc.double({ min: 0.5, max: 1, noNaN: true }), ([x1, n1], [x0, n0], theta) => {
      fc.pre(x0 < n0 || x1 < n1)
      const best = ratioScore(x1, n1, x0, n0, theta).restrictedOld
      const at = logLik(best, theta, x1, n1, x0, n0)
      for (const p of [0.001, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999, best * 0.99, Math.min(0.9999, best * 1.01)]) {
        expect(at).toBeGreaterThanOrEqual(logLik(p, theta, x1, n1, x0, n0) - 1e-6 * Math.abs(at) - 1e-9)
      }
    }))
  })

  it('p-values lie in [0, 1]; fewer new passes or a smaller margin mean stronger evidence of a drop (property)', () => {
    fc.assert(fc.property(counts, counts, fc.double({ min: 0, max: 0.5, noNaN: true }), ([x1, n1], [x0, n0], drop) => {
      const p = passRateDropP(x1, n1, x0, n0, drop)
      expect(p).toBeGreaterThanOrEqual(0)
      expect(p).toBeLessThanOrEqual(1)
      if (x1 > 0) expect(passRateDropP(x1 - 1, n1, x0, n0, drop)).toBeLessThanOrEqual(p + 1e-12)
      expect(passRateDropP(x1, n1, x0, n0, drop / 2)).toBeLessThanOrEqual(p + 1e-12)
    }))
  })

  it('plans the samples of the normal approximation, fewer for a larger drop or lower confidence (property)', () => {
    // (1.6449 + 0.8416)^2 * 0.3 * (1 + 0.95^2) / (0.7 * 0.05^2) = 2016.4, rounded up
    expect(samplesPerSide(0.7, 0.05, 0.05, 0.8)).toBe(2017)
    expect(samplesPerSide(0, 0.05, 0.05)).toBe(Infinity)
    fc.assert(fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), (p, d) => {
      expect(samplesPerSide(p, d * 1.5, 0.05)).toBeLessThanOrEqual(samplesPerSide(p, d, 0.05))
      expect(samplesPerSide(p, d, 0.1)).toBeLessThanOrEqual(samplesPerSide(p, d, 0.05))
    }))
  })
})

describe('Holm–Bonferroni', () => {
  it('adjusts a known example', () => {
    // sorted 0.01, 0.02, 0.03, 0.04 with m = 4: 0.04, 0.06, 0.06, 0.06
    const adjusted = holmAdjust([0.03, 0.01, null, 0.04, 0.02])
    expect(adjusted.map(p => p === null ? null : Number(p.toFixed(10)))).toEqual([0.06, 0.04, null, 0.06, 0.06])
  })

  it('never lowers a p-value, keeps the order and stays in [0, 1] (property)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), ps => {
      const adj = holmAdjust(ps) as number[]
      ps.forEach((p, i) => {
        expect(adj[i]).toBeGreaterThanOrEqual(p)
        expect(adj[i]).toBeLessThanOrEqual(1)
        ps.forEach((q, j) => { if (p < q) expect(adj[i]).toBeLessThanOrEqual(adj[j]) })
      })
      // the smallest is Bonferroni's m * p
      const min = Math.min(...ps)
      expect(Math.min(...adj)).toBeCloseTo(Math.min(1, ps.length * min), 12)
    }))
  })
})

describe('quantile slowdown test on histograms', () => {
  const durations = fc.array(fc.double({ min: 0.01, max: 10_000, noNaN: true }), { minLength: 5, maxLength: 200 })

  it('with no tolerance, testing a against b and b against a gives p and 1 - p (symmetry property)', () => {
    fc.assert(fc.property(durations, durations, fc.constantFrom(0.5, 0.9), (a, b, q) => {
      const ha = histCdf(histOf(a))
      const hb = histCdf(histOf(b))
      const ab = quantileSlowdownTest(ha, hb, q, 1)
      const ba = quantileSlowdownTest(hb, ha, q, 1)
      expect(ab!.p).toBeGreaterThanOrEqual(0)
      expect(ab!.p).toBeLessThanOrEqual(1)
      expect(ab!.p + ba!.p).toBeCloseTo(1, 6)
    }))
  })

  it('a larger tolerance weakens the evidence of a slowdown (monotonicity property)', () => {
    fc.assert(fc.property(durations, durations, (a, b) => {
      const ha = histCdf(histOf(a))
      const hb = histCdf(histOf(b))
      const strict = quantileSlowdownTest(ha, hb, 0.5, 1.05)!.p
      const loose = quantileSlowdownTest(ha, hb, 0.5, 1.5)!.p
      expect(loose).toBeGreaterThanOrEqual(strict - 1e-9)
    }))
  })

  it('finds a doubled median and not a halved one; null without durations', () => {
    const base = Array.from({ length: 200 }, (_, i) => 10 * Math.exp((i - 100) / 100))
    const old = histCdf(histOf(base))
    const slower = histCdf(histOf(base.map(d => d * 2)))
    expect(quantileSlowdownTest(slower, old, 0.5, 1.05)!.p).toBeLessThan(1e-6)
    expect(quantileSlowdownTest(old, slower, 0.5, 1.05)!.p).toBeGreaterThan(0.99)
    expect(quantileSlowdownTest(histCdf(null), old, 0.5, 1.05)).toBeNull()
  })
})

describe('trend tests', () => {
  it('Cochran–Armitage with two scores is the pooled two-proportion z test (property)', () => {
    fc.assert(fc.property(counts, counts, ([x1, n1], [x0, n0]) => {
      fc.pre(x1 + x0 > 0 && x1 + x0 < n1 + n0)
      const t = cochranArmitage([{ score: 0, pass: x0, n: n0 }, { score: 1, pass: x1, n: n1 }])
      expect(t!.z).toBeCloseTo(pooledZ(x1, n1, x0, n0), 9)
    }))
  })

  it('Mann–Kendall: a known value, ties, and reversal negates it (property)', () => {
    // 1..5 increasing: S = 10, Var = 5*4*15/18, z = 9 / sqrt(16.667) = 2.2045, p = 0.0275
    const mk = mannKendall([1, 2, 3, 4, 5])!
    expect(mk.s).toBe(10)
    expect(mk.z).toBeCloseTo(2.2045407685048604, 12)
    expect(mk.p).toBeCloseTo(0.02749, 4)
    // ties: [1, 1, 2]: S = 2, Var = (3*2*11 - 2*1*9)/18 = 2.667
    expect(mannKendall([1, 1, 2])!.z).toBeCloseTo(1 / Math.sqrt(48 / 18), 12)
    expect(mannKendall([3, 3, 3])).toBeNull()
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 3, maxLength: 40 }), xs => {
      const a = mannKendall(xs)
      const b = mannKendall([...xs].reverse())
      if (a === null) {
        // a property fails on a returned false, so the assertion's own value must not be returned
        expect(b).toBeNull()
        return
      }
      expect(b!.z).toBeCloseTo(-a.z, 12)
      expect(a.p).toBeGreaterThanOrEqual(0)
      expect(a.p).toBeLessThanOrEqual(1)
    }))
  })
})
