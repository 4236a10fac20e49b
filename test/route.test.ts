import { describe, expect, it } from 'vitest'
import { mulberry32, sampleBeta, sampleGamma, seedOf } from '../src/core/random.js'
import { rankArms, type RankedArm } from '../src/core/ranking.js'
import { DEFAULT_EXPLORE_SHARE, route, routeResult } from '../src/core/route.js'
import { emptyScalars } from '../src/core/types.js'
import { ValidationError } from '../src/errors.js'

/** A ranking from [tool, n, pass] triples, as the tracker would rank them (5 samples to be benchmarked). */
function ranking (...arms: Array<[string, number, number]>): RankedArm[] {
  return rankArms(arms.map(([tool, n, pass]) => ({
    tool, model: '', totals: { ...emptyScalars(), n, pass, grader_fail: n - pass }, hist: null, origins: 1, perOrigin: []
  })), { minSamples: 5, originCap: 100 }).ranking
}

function tally (runs: number, fn: () => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i < runs; i++) {
    const key = fn()
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

const clearWinner = ranking(['aider', 120, 110], ['ruff', 100, 50], ['codex', 40, 20])

describe('route (DESIGN section 5)', () => {
  it('exploits the arm with the highest lower bound and says why', () => {
    const d = route(clearWinner, { exploreShare: 0, random: mulberry32(1) })
    expect(d.mode).toBe('exploit')
    expect(d.arm?.tool).toBe('aider')
    expect(d.reason).toMatch(/^exploit: aider has the highest 95% lower bound \(0\.\d{3}, n=120\)$/)
    const random = mulberry32(2)
    const picks = tally(2000, () => { const r = route(clearWinner, { random }); return `${r.mode}:${r.arm?.tool}` })
    expect([...picks.keys()].filter(k => k.startsWith('exploit'))).toEqual(['exploit:aider'])
  })

  it('explores at the configured share: within 1.5 points of the default (30%) over 10,000 seeded calls; 0 disables it', () => {
    const random = mulberry32(seedOf('explore-share'))
    const modes = tally(10_000, () => route(clearWinner, { random }).mode)
    expect(DEFAULT_EXPLORE_SHARE).toBe(0.3)
    expect(Math.abs((modes.get('explore') ?? 0) / 10_000 - DEFAULT_EXPLORE_SHARE)).toBeLessThanOrEqual(0.015)
    const off = tally(10_000, () => route(clearWinner, { exploreShare: 0, random }).mode)
    expect(off).toEqual(new Map([['exploit', 10_000]]))
    const always = tally(500, () => route(clearWinner, { exploreShare: 1, random }).mode)
    expect(always).toEqual(new Map([['explore', 500]]))
  })

  it('explores under-sampled arms first, uniformly among them', () => {
    const arms = ranking(['aider', 120, 110], ['ruff', 100, 50], ['fresh', 2, 2], ['newer', 1, 0])
    const random = mulberry32(3)
    const picks = tally(2000, () => {
      const d = route(arms, { exploreShare: 1, random })
      expect(d.reason).toMatch(/^explore \(100% share\): (fresh|newer) has only \d samples?, under the benchmark threshold; picked at random among 2 under-sampled arms$/)
      return d.arm?.tool ?? ''
    })
    expect([...picks.keys()].sort()).toEqual(['fresh', 'newer'])
    expect(picks.get('fresh')).toBeGreaterThan(850)
    expect(picks.get('newer')).toBeGreaterThan(850)
  })

  it('with every arm benchmarked, explores by Thompson sampling the Beta posteriors', () => {
    const random = mulberry32(4)
    const lopsided = tally(1000, () => route(ranking(['good', 100, 90], ['bad', 100, 40]), { exploreShare: 1, random }).arm?.tool ?? '')
    expect(lopsided.get('good')).toBeGreaterThan(990)
    const even = tally(4000, () => route(ranking(['a', 10, 5], ['b', 10, 5]), { exploreShare: 1, random }).arm?.tool ?? '')
    expect(Math.abs((even.get('a') ?? 0) / 4000 - 0.5)).toBeLessThan(0.04)
    const d = route(ranking(['good', 100, 90], ['bad', 100, 40]), { exploreShare: 1, random })
    expect(d.reason).toMatch(/^explore \(100% share\): every arm is benchmarked, so Thompson sampling: good drew 0\.\d{3} from its Beta\(91, 11\) posterior, the highest of 2 arms$/)
  })

  it('cold-starts on the least-sampled arm when nothing is benchmarked, and says when there is no data', () => {
    const d = route(ranking(['a', 3, 1], ['b', 1, 1], ['c', 4, 4]), { random: mulberry32(5) })
    expect(d).toMatchObject({ mode: 'cold_start', arm: { tool: 'b', n: 1 } })
    expect(d.reason).toBe('cold start: no arm has enough samples to be benchmarked yet; trying b, the least-sampled of 3 known arms (n=1)')
    const random = mulberry32(6)
    const tied = tally(400, () => route(ranking(['a', 2, 1], ['b', 2, 0], ['c', 4, 4]), { random }).arm?.tool ?? '')
    expect([...tied.keys()].sort()).toEqual(['a', 'b'])
    const none = route([], { random: mulberry32(7) })
    expect(none).toEqual({ mode: 'cold_start', arm: null, reason: expect.stringContaining('no data') })
  })

  it('is deterministic for a seed, refuses a share outside 0..1, and shapes the API answer', () => {
    const decide = (seed: string): string[] => {
      const random = mulberry32(seedOf(seed))
      return Array.from({ length: 200 }, () => JSON.stringify(route(clearWinner, { exploreShare: 0.3, random })))
    }
    expect(decide('s1')).toEqual(decide('s1'))
    expect(decide('s1')).not.toEqual(decide('s2'))
    for (const bad of [-0.1, 1.5, Number.NaN]) {
      expect(() => route(clearWinner, { exploreShare: bad, random: Math.random })).toThrow(ValidationError)
    }
    const result = routeResult({ task_type: 'bug_fix', scope: 'hive', ranking: clearWinner }, { exploreShare: 0, random: mulberry32(8) })
    expect(result).toMatchObject({ task_type: 'bug_fix', scope: 'hive', explore_share: 0, mode: 'exploit', arm: { tool: 'aider' } })
    expect(result.ranking[0]).toEqual({ tool: 'aider', model: '', n: 120, pass_rate: 110 / 120, wilson_lower: clearWinner[0].wilson_lower, benchmarked: true })
  })
})

describe('route rankBy pass_rate (the replaced tracker\'s rule, for npm run simulate)', () => {
  it('exploits the highest raw pass rate: 5/5 over 990/1000, where the default picks 990/1000', () => {
    const arms = ranking(['lucky', 5, 5], ['proven', 1000, 990], ['young', 4, 4])
    expect(route(arms, { exploreShare: 0, random: mulberry32(1) }).arm?.tool).toBe('proven')
    const d = route(arms, { exploreShare: 0, random: mulberry32(1), rankBy: 'pass_rate' })
    expect(d).toMatchObject({ mode: 'exploit', arm: { tool: 'lucky' } })
    expect(d.reason).toBe('exploit: lucky has the highest pass rate (1.000, n=5)')
    // the minimum sample rule still holds: 4/4 is not benchmarked, so it is never exploited
    const tie = ranking(['a', 10, 5], ['b', 20, 10])
    expect(route(tie, { exploreShare: 0, random: mulberry32(1), rankBy: 'pass_rate' }).arm?.tool).toBe('b') // equal rates: the default order (higher bound)
  })
})

describe('seeded randomness', () => {
  it('seeds: integer strings are their number, other strings hash stably', () => {
    expect(seedOf('42')).toBe(42)
    expect(seedOf(42)).toBe(42)
    expect(seedOf('canary-7')).toBe(seedOf('canary-7'))
    expect(seedOf('canary-7')).not.toBe(seedOf('canary-8'))
    const a = mulberry32(9)
    const b = mulberry32(9)
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b))
  })

  it('Gamma and Beta samplers have the right means (Marsaglia–Tsang)', () => {
    const random = mulberry32(10)
    const mean = (draw: () => number, runs = 20_000): number => { let s = 0; for (let i = 0; i < runs; i++) s += draw(); return s / runs }
    expect(mean(() => sampleGamma(3, random))).toBeCloseTo(3, 1)
    expect(mean(() => sampleGamma(0.5, random))).toBeCloseTo(0.5, 1)
    expect(mean(() => sampleBeta(3, 7, random))).toBeCloseTo(0.3, 2)
    expect(mean(() => sampleBeta(0.5, 0.5, random))).toBeCloseTo(0.5, 1)
    for (let i = 0; i < 1000; i++) {
      const x = sampleBeta(1, 200, random)
      expect(x > 0 && x < 1).toBe(true)
    }
    expect(() => sampleGamma(0, random)).toThrow(RangeError)
  })
})
