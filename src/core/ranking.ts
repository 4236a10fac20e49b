import { quantiles } from './histogram.js'
import type { OutcomeClass, ScalarCounters } from './types.js'
import { wilsonInterval } from './wilson.js'

/** What the store hands the ranking: one arm's true totals and the origins above the cap. */
export interface ArmInput {
  tool: string
  model: string
  totals: ScalarCounters
  /** the arm's latency histogram, encoded (core/histogram.ts); null when no duration is known */
  hist: Uint8Array | null
  origins: number
  heavyOrigins: Array<{ n: number, pass: number }>
}

/** The ranked-arm JSON shape of README.md, "Asking which tool is best" (plus a few extra fields). */
export interface RankedArm {
  tool: string
  model: string
  n: number
  pass: number
  pass_rate: number | null
  wilson_lower: number
  wilson_upper: number
  p50_s: number | null
  p90_s: number | null
  mean_cost_usd: number | null
  outcomes: Record<OutcomeClass, number>
  origins: number
  /** n >= min samples: eligible to be best */
  benchmarked: boolean
  /** the sample weight the ranking used (n minus what the per-origin cap removed) */
  weighted_n: number
}

export interface RankOptions {
  minSamples: number
  originCap: number
}

/**
 * Per-origin cap (README.md, "How the ranking works"): where several origins report an arm, an origin with
 * n_o > cap samples on it counts as cap samples at its own pass rate, so one peer cannot
 * outweigh many honest ones. An arm with a single origin is left as it is: there is nobody
 * to outweigh, and so a node without peers ranks exactly as in local scope.
 */
export function cappedWeights (arm: ArmInput, cap: number): { n: number, pass: number } {
  if (arm.origins < 2) return { n: arm.totals.n, pass: arm.totals.pass }
  let n = arm.totals.n
  let pass = arm.totals.pass
  for (const o of arm.heavyOrigins) {
    const w = originWeight(o, arm.origins, cap)
    n -= o.n - w.n
    pass -= o.pass - w.pass
  }
  return { n, pass }
}

/** One origin's weight on an arm that `origins` origins report: the cap rule above, per origin. */
export function originWeight (o: { n: number, pass: number }, origins: number, cap: number): { n: number, pass: number } {
  if (origins < 2 || o.n <= cap) return { n: o.n, pass: o.pass }
  return { n: cap, pass: o.pass * cap / o.n }
}

export function toRankedArm (arm: ArmInput, options: RankOptions): RankedArm {
  const t = arm.totals
  const weighted = cappedWeights(arm, options.originCap)
  const bounds = wilsonInterval(weighted.pass, weighted.n)
  const outcomes = { pass: t.pass, grader_fail: t.grader_fail, timeout: t.timeout, no_tool_calls: t.no_tool_calls, error: t.error }
  const [p50, p90] = quantiles(arm.hist, [0.5, 0.9])
  return {
    tool: arm.tool,
    model: arm.model,
    n: t.n,
    pass: t.pass,
    pass_rate: t.n > 0 ? t.pass / t.n : null,
    wilson_lower: bounds.lower,
    wilson_upper: bounds.upper,
    p50_s: p50,
    p90_s: p90,
    mean_cost_usd: t.nCost > 0 ? t.sumCostMicros / t.nCost / 1_000_000 : null,
    outcomes,
    origins: arm.origins,
    benchmarked: t.n >= options.minSamples,
    weighted_n: weighted.n
  }
}

const TIE_EPSILON = 1e-12

/**
 * Benchmarked arms first, by Wilson lower bound (95%), ties broken by the lower median
 * duration (unknown medians last), then by more samples and by name so the order is total.
 */
export function compareArms (a: RankedArm, b: RankedArm): number {
  if (a.benchmarked !== b.benchmarked) return a.benchmarked ? -1 : 1
  if (Math.abs(a.wilson_lower - b.wilson_lower) > TIE_EPSILON) return b.wilson_lower - a.wilson_lower
  if (a.p50_s !== b.p50_s) {
    if (a.p50_s === null) return 1
    if (b.p50_s === null) return -1
    return a.p50_s - b.p50_s
  }
  if (a.n !== b.n) return b.n - a.n
  return a.tool === b.tool ? compareText(a.model, b.model) : compareText(a.tool, b.tool)
}

/**
 * The rule of the tracker hivebench replaced, kept to measure against (npm run simulate): the
 * raw pass rate, no confidence bound, so 5/5 outranks 990/1000. Otherwise as compareArms.
 */
export function compareArmsByPassRate (a: RankedArm, b: RankedArm): number {
  if (a.benchmarked !== b.benchmarked) return a.benchmarked ? -1 : 1
  const d = (b.pass_rate ?? 0) - (a.pass_rate ?? 0)
  return Math.abs(d) > TIE_EPSILON ? d : compareArms(a, b)
}

function compareText (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export interface Ranking {
  best: RankedArm | null
  ranking: RankedArm[]
}

export function rankArms (arms: ArmInput[], options: RankOptions): Ranking {
  const ranking = arms.map(a => toRankedArm(a, options)).sort(compareArms)
  const best = ranking[0]?.benchmarked === true ? ranking[0] : null
  return { best, ranking }
}
