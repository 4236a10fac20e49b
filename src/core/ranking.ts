import { DEFAULT_LEAVE_OUT, DEFAULT_MEDIAN_CAP_FACTOR, DEFAULT_MIN_ORIGINS, DEFAULT_ORIGIN_CAP, DEFAULT_SENIORITY_DAYS } from './limits.js'
import { quantiles } from './histogram.js'
import type { OutcomeClass, ScalarCounters } from './types.js'
import { wilsonInterval } from './wilson.js'

/** One origin's share of an arm: its (n, pass) over the window. */
export interface OriginCounts {
  /** the store's origin number (0 is this node); only compared for equality */
  origin: number
  n: number
  pass: number
}

/** What the store hands the ranking: one arm's true totals and, in hive scope, each origin's part. */
export interface ArmInput {
  tool: string
  model: string
  totals: ScalarCounters
  /** the arm's latency histogram, encoded (core/histogram.ts); null when no duration is known */
  hist: Uint8Array | null
  origins: number
  /** per-origin counts (hive scope); empty in local scope, where the one origin is this node */
  perOrigin: OriginCounts[]
}

/** The ranked-arm JSON shape of README.md, "Asking which tool is best" (plus a few extra fields). */
export interface RankedArm {
  tool: string
  model: string
  n: number
  pass: number
  pass_rate: number | null
  /** the ranking key: Wilson 95% lower bound of the weighted counts, after leaving out the most favourable origin(s) in hive scope */
  wilson_lower: number
  wilson_upper: number
  p50_s: number | null
  p90_s: number | null
  mean_cost_usd: number | null
  outcomes: Record<OutcomeClass, number>
  origins: number
  /** eligible to be best: weighted n >= min samples, reported by enough distinct origins */
  benchmarked: boolean
  /** the sample weight the ranking used (n minus what the per-origin cap removed) */
  weighted_n: number
  /** the passes inside weighted_n (each capped origin counts at its own pass rate) */
  weighted_pass: number
}

/**
 * How the hive ranking resists liars and Sybils (protocol/THREAT-MODEL.md, "Ranking"):
 * - originCap: no origin ever weighs more than this many samples on an arm;
 * - medianCapFactor: an origin weighs at most this many times the median n of the other
 *   origins reporting the arm, so a liar is bounded by the honest evidence on sparse arms too
 *   (2: an honest origin is rarely cut; a liar counts as two typical origins);
 * - minOrigins: in hive scope an arm is benchmarked only when this many distinct origins report
 *   it (or every origin of the task type, when fewer report there: a lone node ranks alone);
 * - leaveOut: the ranking key is the Wilson lower bound after removing the leaveOut origins
 *   whose removal lowers it most, so the best must survive losing its most favourable origins.
 * - seniorityDays: origins this node first saw less than this many days ago (bar the hive it
 *   found when it joined) count together as one origin, for all three defences above: k fresh
 *   identities weigh what one liar weighs, so Sybils must be made and shown days ahead.
 */
export interface RankPolicy {
  originCap: number
  /** 0: off; f: an origin weighs at most f x the median n of the other origins on the arm */
  medianCapFactor: number
  minOrigins: number
  leaveOut: number
  /** 0: off; d: origins first seen less than d days ago are pooled into one (the tracker finds them) */
  seniorityDays: number
}

export const DEFAULT_RANK_POLICY: RankPolicy = Object.freeze({
  originCap: DEFAULT_ORIGIN_CAP,
  medianCapFactor: DEFAULT_MEDIAN_CAP_FACTOR,
  minOrigins: DEFAULT_MIN_ORIGINS,
  leaveOut: DEFAULT_LEAVE_OUT,
  seniorityDays: DEFAULT_SENIORITY_DAYS
})

export interface RankOptions extends Partial<RankPolicy> {
  minSamples: number
  /** hive scope: the new origins (store numbers), pooled into NEW_ORIGINS; none when absent */
  newOrigins?: ReadonlySet<number>
}

/** The origin number of the pool of new origins (store numbers are >= 0). */
export const NEW_ORIGINS = -2

/**
 * Seniority: every new origin's counts summed into one origin, NEW_ORIGINS, so that the cap,
 * the leave-one-out key and corroboration treat k fresh identities as one. Senior origins (and
 * this node, origin 0, never new) are left as they are.
 */
export function poolNewOrigins (perOrigin: OriginCounts[], newOrigins: ReadonlySet<number> | undefined): OriginCounts[] {
  if (newOrigins === undefined || newOrigins.size === 0) return perOrigin
  const out: OriginCounts[] = []
  let pool: OriginCounts | undefined
  for (const o of perOrigin) {
    if (!newOrigins.has(o.origin)) {
      out.push(o)
      continue
    }
    if (pool === undefined) {
      pool = { origin: NEW_ORIGINS, n: 0, pass: 0 }
      out.push(pool)
    }
    pool.n += o.n
    pool.pass += o.pass
  }
  return out
}

/** The middle value (the lower of the two middles for an even count); the caller passes a non-empty list. */
function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  // biome-ignore lint/style/noNonNullAssertion: the caller passes a non-empty list
  return sorted[Math.floor((sorted.length - 1) / 2)]!
}

/**
 * Each origin's weight on the arm: an origin with n_o samples counts min(n_o, cap_o) samples at
 * its own pass rate, where cap_o = originCap, lowered to medianCapFactor x the median n of the
 * other origins when the factor is not 0. An arm with a single origin keeps its counts: there is nobody to outweigh.
 */
export function originWeights (perOrigin: OriginCounts[], policy: RankPolicy): Array<{ n: number, pass: number }> {
  if (perOrigin.length < 2) return perOrigin.map(o => ({ n: o.n, pass: o.pass }))
  return perOrigin.map((o, i) => {
    let cap = policy.originCap
    if (policy.medianCapFactor > 0) cap = Math.min(cap, policy.medianCapFactor * median(perOrigin.filter((_, j) => j !== i).map(p => p.n)))
    return o.n <= cap ? { n: o.n, pass: o.pass } : { n: cap, pass: o.pass * cap / o.n }
  })
}

/**
 * Each origin's weight as the ranking uses it, seniority included: a senior origin's own
 * weight, and for a new one its share (by n) of the pool's weight. For breakdowns by origin.
 */
export function weightsByOrigin (perOrigin: OriginCounts[], policy: RankPolicy, newOrigins?: ReadonlySet<number>): Array<{ n: number, pass: number }> {
  const pooled = poolNewOrigins(perOrigin, newOrigins)
  const weights = originWeights(pooled, policy)
  const byOrigin = new Map(pooled.map((o, i) => [o.origin, { counts: o, weight: weights[i] ?? o }]))
  const pool = byOrigin.get(NEW_ORIGINS)
  return perOrigin.map(o => {
    if (pool === undefined || newOrigins?.has(o.origin) !== true) return byOrigin.get(o.origin)?.weight ?? o
    const share = o.n / pool.counts.n
    return { n: pool.weight.n * share, pass: pool.weight.pass * share }
  })
}

/**
 * The ranking key: the Wilson lower bound of the summed weights after greedily removing, `k`
 * times, the origin whose removal lowers it most (at least one origin always stays).
 */
export function leaveOutLower (weights: Array<{ n: number, pass: number }>, k: number): number {
  let n = weights.reduce((s, w) => s + w.n, 0)
  let pass = weights.reduce((s, w) => s + w.pass, 0)
  let lower = wilsonInterval(pass, n).lower
  const left = [...weights]
  for (let round = 0; round < k && left.length > 1; round++) {
    let removed = 0
    lower = Infinity
    for (const [i, w] of left.entries()) {
      const without = wilsonInterval(pass - w.pass, n - w.n).lower
      if (without < lower) { removed = i; lower = without }
    }
    // biome-ignore lint/style/noNonNullAssertion: 0 <= removed < left.length: left.length > 1 in this loop
    const gone = left[removed]!
    n -= gone.n
    pass -= gone.pass
    left.splice(removed, 1)
  }
  return lower
}

export function toRankedArm (arm: ArmInput, options: RankOptions, requiredOrigins = 1): RankedArm {
  const policy = { ...DEFAULT_RANK_POLICY, ...options }
  const t = arm.totals
  const perOrigin = poolNewOrigins(arm.perOrigin, options.newOrigins)
  const weights = perOrigin.length === 0 ? [{ n: t.n, pass: t.pass }] : originWeights(perOrigin, policy)
  const weighted = weights.reduce((s, w) => ({ n: s.n + w.n, pass: s.pass + w.pass }), { n: 0, pass: 0 })
  const bounds = wilsonInterval(weighted.pass, weighted.n)
  const outcomes = { pass: t.pass, grader_fail: t.grader_fail, timeout: t.timeout, no_tool_calls: t.no_tool_calls, error: t.error }
  const [p50, p90] = quantiles(arm.hist, [0.5, 0.9])
  return {
    tool: arm.tool,
    model: arm.model,
    n: t.n,
    pass: t.pass,
    pass_rate: t.n > 0 ? t.pass / t.n : null,
    wilson_lower: weights.length > 1 ? leaveOutLower(weights, policy.leaveOut) : bounds.lower,
    wilson_upper: bounds.upper,
    p50_s: p50,
    p90_s: p90,
    mean_cost_usd: t.nCost > 0 ? t.sumCostMicros / t.nCost / 1_000_000 : null,
    outcomes,
    origins: arm.origins,
    // the pool of new origins corroborates as one
    benchmarked: weighted.n >= options.minSamples && (perOrigin.length === 0 ? arm.origins : perOrigin.length) >= requiredOrigins,
    weighted_n: weighted.n,
    weighted_pass: weighted.pass
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

/**
 * Ranks the arms of one task type. Corroboration: an arm needs min(minOrigins, origins reporting
 * anything in this task type) distinct origins to be benchmarked, so an invented arm claimed by
 * one identity cannot be best in a hive where others report, and a node alone still ranks.
 */
export function rankArms (arms: ArmInput[], options: RankOptions): Ranking {
  const seen = new Set<number>()
  for (const arm of arms) for (const o of arm.perOrigin) seen.add(options.newOrigins?.has(o.origin) === true ? NEW_ORIGINS : o.origin)
  const required = Math.min(options.minOrigins ?? DEFAULT_RANK_POLICY.minOrigins, Math.max(1, seen.size))
  const ranking = arms.map(a => toRankedArm(a, options, required)).sort(compareArms)
  const best = ranking[0]?.benchmarked === true ? ranking[0] : null
  return { best, ranking }
}
