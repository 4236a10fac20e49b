import { describe, expect, it } from 'vitest'
import { mulberry32, sampleBeta, sampleGamma, seedOf } from '../src/core/random.js'
import { rankArms, type RankedArm } from '../src/core/ranking.js'
import { defaultExploreShare, posteriorOf, route, routeResult } from '../src/core/route.js'
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

describe('route (README.md, "Routing")', () => {
  it('exploits the arm with the highest lower bound and says why', () => {
    const d = route(clearWinner, { exploreShare: 0, random: mulberry32(1) })
    expect(d.mode).toBe('exploit')
    expect(d.arm?.tool).toBe('aider')
    expect(d.reason).toMatch(/^exploit: aider has the highest 95% lower bound \(0\.\d{3}, n=120\)$/)
    const random = mulberry32(2)
    const picks = tally(2000, () => { const r = route(clearWinner, { random }); return `${r.mode}:${r.arm?.tool}` })
    expect([...picks.keys()].filter(k => k.startsWith('exploit'))).toEqual(['exploit:aider'])
  })

  it('explore share: each arm\'s chance to be a posterior draw (default 2 / arms, at most 1); 0 routes to the best arm, 1 is plain Thompson sampling', () => {
    expect([1, 2, 3, 10, 25].map(defaultExploreShare)).toEqual([1, 1, 2 / 3, 0.2, 0.08])
    const random = mulberry32(seedOf('explore-share'))
    const off = tally(10_000, () => route(clearWinner, { exploreShare: 0, random }).mode)
    expect(off).toEqual(new Map([['exploit', 10_000]]))
    const always = tally(500, () => route(clearWinner, { exploreShare: 1, random }).mode)
    expect(always).toEqual(new Map([['explore', 500]]))
    // with a clear winner an exploration is a draw of aider itself beating the others' means:
    // about the explore share, never a worse arm
    const picks = tally(10_000, () => { const d = route(clearWinner, { exploreShare: 0.1, random }); return `${d.mode}:${d.arm?.tool}` })
    expect([...picks.keys()].sort()).toEqual(['exploit:aider', 'explore:aider'])
    expect(Math.abs((picks.get('explore:aider') ?? 0) / 10_000 - 0.1)).toBeLessThanOrEqual(0.015)
    const byDefault = routeResult({ task_type: 'bug_fix', scope: 'local', ranking: clearWinner }, { random })
    expect(byDefault.explore_share).toBe(2 / 3)
  })

  it('exploration fades as the evidence separates the arms: in a closed loop the clearly worse arms\' share goes to ~0', () => {
    // route() picks, the pick alone is observed (a Bernoulli draw at its true rate), and the
    // next ranking holds the counts so far. A fixed exploration floor would keep routing a
    // share of the decisions to them (a uniform pick at 10% of the decisions: 5% of them on the worse of two arms).
    const loop = (rates: number[], rounds: number, seed: number): number[] => {
      const random = mulberry32(seed)
      const outcome = mulberry32(seed + 1)
      const counts = rates.map(() => ({ n: 0, pass: 0 }))
      const picks: number[] = []
      for (let t = 0; t < rounds; t++) {
        const arms = ranking(...rates.map((_, i): [string, number, number] => [`arm${i}`, counts[i].n, counts[i].pass]))
        const i = Number(route(arms, { random }).arm?.tool.slice(3))
        counts[i].n++
        if (outcome() < rates[i]) counts[i].pass++
        picks.push(i)
      }
      return picks
    }
    const worseShare = (picks: number[], from: number, to: number): number => picks.slice(from, to).filter(i => i !== 0).length / (to - from)
    for (const seed of [1, 2, 3]) {
      const two = loop([0.8, 0.3], 3000, seed)
      expect(worseShare(two, 0, 100)).toBeGreaterThan(0) // it was tried
      expect(worseShare(two, 2000, 3000)).toBeLessThan(0.01)
      const ten = loop([0.8, 0.5, 0.5, 0.45, 0.4, 0.4, 0.3, 0.3, 0.2, 0.1], 4000, seed)
      expect(worseShare(ten, 0, 200)).toBeGreaterThan(0.1)
      expect(worseShare(ten, 3000, 4000)).toBeLessThan(0.01)
    }
  })

  it('an arm that is not benchmarked is reached by draws only: never-tried arms before failing ones, and a liar\'s uncorroborated claim weighs 5 samples', () => {
    const random = mulberry32(3)
    const cold = tally(3000, () => {
      const d = route(ranking(['failing', 4, 0], ['untried', 0, 0], ['mixed', 3, 1]), { random })
      expect(d.mode).toBe('cold_start')
      return d.arm?.tool ?? ''
    })
    expect(cold.get('untried')).toBeGreaterThan(cold.get('mixed') ?? 0)
    expect(cold.get('mixed')).toBeGreaterThan(cold.get('failing') ?? 0)
    // a hive where two origins report: one identity claims 10^6 passes on an arm nobody else reports
    const hive = rankArms([
      { tool: 'good', model: '', totals: { ...emptyScalars(), n: 100, pass: 88 }, hist: null, origins: 2, perOrigin: [{ origin: 1, n: 50, pass: 44 }, { origin: 2, n: 50, pass: 44 }] },
      { tool: 'invented', model: '', totals: { ...emptyScalars(), n: 1e6, pass: 1e6 }, hist: null, origins: 1, perOrigin: [{ origin: 3, n: 1e6, pass: 1e6 }] }
    ], { minSamples: 5 }).ranking
    const invented = hive.find(a => a.tool === 'invented') as RankedArm
    expect(invented.benchmarked).toBe(false)
    expect(posteriorOf(invented)).toEqual({ alpha: 6, beta: 1 })
    // at share 0.1, reached only when its draw is taken (10%) and beats good's mean (0.87): 1 - 0.87^6 = 57% of those
    const picks = tally(4000, () => route(hive, { exploreShare: 0.1, random }).arm?.tool ?? '')
    expect((picks.get('invented') ?? 0) / 4000).toBeGreaterThan(0.03)
    expect((picks.get('invented') ?? 0) / 4000).toBeLessThan(0.08)
    const d = route(ranking(['good', 100, 90], ['fresh', 0, 0]), { exploreShare: 1, random: mulberry32(5) })
    expect(d.reason).toMatch(/^explore \(Thompson sampling, 100% explore share\): (good|fresh) drew 0\.\d{3} from its Beta\(\d+, \d+\) posterior \(n=\d+(, not yet benchmarked)?\), above every other arm's estimate$/)
  })

  it('known limit (protocol/THREAT-MODEL.md): invented arms of 2/2 from one origin get 4% of the decisions alone, about 40% when 25 of them fill the listed arms', () => {
    const origin = (origin: number, n: number, pass: number) => ({ origin, n, pass })
    const arm = (tool: string, per: Array<{ origin: number, n: number, pass: number }>) => ({
      tool, model: '', totals: { ...emptyScalars(), n: per.reduce((s, o) => s + o.n, 0), pass: per.reduce((s, o) => s + o.pass, 0) }, hist: null, origins: per.length, perOrigin: per
    })
    const honest = Array.from({ length: 25 }, (_, i) => arm(`h${i}`, [origin(1, 50, Math.round(50 * (0.8 - i * 0.03))), origin(2, 50, Math.round(50 * (0.8 - i * 0.03)))]))
    const junkShare = (count: number): number => {
      const junk = Array.from({ length: count }, (_, j) => arm(`junk${j}`, [origin(9, 2, 2)]))
      const listed = rankArms([...honest, ...junk], { minSamples: 5 }).ranking.slice(0, 50)
      const random = mulberry32(count)
      return (tally(20_000, () => route(listed, { random }).arm?.tool.startsWith('junk') ? 'junk' : 'honest').get('junk') ?? 0) / 20_000
    }
    expect(junkShare(1)).toBeGreaterThan(0.02)
    expect(junkShare(1)).toBeLessThan(0.06)
    expect(junkShare(25)).toBeGreaterThan(0.35)
    expect(junkShare(25)).toBeLessThan(0.45)
  })

  it('with every arm benchmarked and share 1, it is plain Thompson sampling of the Beta posteriors', () => {
    const random = mulberry32(4)
    const lopsided = tally(1000, () => route(ranking(['good', 100, 90], ['bad', 100, 40]), { exploreShare: 1, random }).arm?.tool ?? '')
    expect(lopsided.get('good')).toBeGreaterThan(990)
    const even = tally(4000, () => route(ranking(['a', 10, 5], ['b', 10, 5]), { exploreShare: 1, random }).arm?.tool ?? '')
    expect(Math.abs((even.get('a') ?? 0) / 4000 - 0.5)).toBeLessThan(0.04)
    const d = route(ranking(['good', 100, 90], ['bad', 100, 40]), { exploreShare: 1, random })
    expect(d.reason).toMatch(/^explore \(Thompson sampling, 100% explore share\): good drew 0\.\d{3} from its Beta\(91, 11\) posterior \(n=100\), above every other arm's estimate$/)
    const e = route(clearWinner, { exploreShare: 0.01, random: mulberry32(1) })
    expect(e.reason).toMatch(/^exploit: aider has the highest estimated pass rate \(posterior mean 0\.9\d\d of Beta\(111, 11\), n=120\); no other arm's draw \(1% explore share\) beat it$/)
  })

  it('cold start when nothing is benchmarked: a Thompson draw over the known arms (the least-sampled arm with exploration off), and says when there is no data', () => {
    const d = route(ranking(['a', 3, 1], ['b', 1, 1], ['c', 4, 4]), { random: mulberry32(5) })
    expect(d.mode).toBe('cold_start')
    expect(d.reason).toMatch(/^cold start: no arm has enough samples to be benchmarked yet; Thompson sampling over 3 known arms: [abc] drew 0\.\d{3} from its Beta\(\d, \d\) posterior \(n=\d\)$/)
    // exploration off: no draw, the least-sampled arm (the replaced rule's cold start, which npm run simulate compares against)
    const off = route(ranking(['a', 3, 1], ['b', 1, 1], ['c', 4, 4]), { exploreShare: 0, random: mulberry32(5) })
    expect(off).toMatchObject({ mode: 'cold_start', arm: { tool: 'b', n: 1 } })
    expect(off.reason).toBe('cold start: no arm has enough samples to be benchmarked yet and exploration is off; trying b, the least-sampled of 3 known arms (n=1)')
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
