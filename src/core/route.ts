import { ValidationError } from '../errors.js'
import { sampleBeta, type Random } from './random.js'
import { compareArms, compareArmsByPassRate, type RankedArm } from './ranking.js'

/**
 * The share of route decisions that explore instead of exploiting (README.md, "Routing"). The
 * design proposed a 10% canary; npm run simulate (20 nodes, the real SWE-bench pass rates, 5 seeds) measured 30%
 * with about a third less cumulative regret, because exploiting the Wilson lower bound locks onto
 * the arm that got ahead early, and Thompson draws mostly fall on near-best arms (README).
 */
export const DEFAULT_EXPLORE_SHARE = 0.3

export type RouteMode = 'exploit' | 'explore' | 'cold_start'

export interface RouteDecision {
  mode: RouteMode
  /** null only when no arm is known at all */
  arm: RankedArm | null
  /** one human sentence: what was done and why */
  reason: string
}

export interface RouteOptions {
  /** 0..1; 0 disables exploration */
  exploreShare?: number
  random: Random
  /**
   * What exploit ranks benchmarked arms by: the Wilson lower bound (the default, what `best`
   * answers) or the raw pass rate (the replaced tracker's rule, for comparison only).
   */
  rankBy?: 'wilson_lower' | 'pass_rate'
}

const label = (arm: RankedArm): string => arm.model === '' ? arm.tool : `${arm.tool} / ${arm.model}`
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
/** One of `items` (never empty: each caller picks from arms it has just seen) at random. */
// biome-ignore lint/style/noNonNullAssertion: the index is in [0, items.length), and items is never empty
const pick = <T>(items: T[], random: Random): T => items[Math.min(items.length - 1, Math.floor(random() * items.length))]!

export function checkExploreShare (share: number): number {
  if (!Number.isFinite(share) || share < 0 || share > 1) throw new ValidationError('explore_share', 'range', 'must be a number from 0 to 1')
  return share
}

/**
 * Picks the arm to use now (README.md, "Routing: which tool to use now"): the best benchmarked arm, or with probability
 * `exploreShare` an exploration: an under-sampled arm when there is one (they are the ones the
 * ranking knows least about), else a Thompson draw from every arm's Beta(pass+1, fail+1)
 * posterior. Without a benchmarked arm it is a cold start on the least-sampled arm.
 * Pure: the only source of chance is `random`, so a seeded PRNG makes it deterministic.
 */
export function route (ranking: RankedArm[], { exploreShare = DEFAULT_EXPLORE_SHARE, random, rankBy = 'wilson_lower' }: RouteOptions): RouteDecision {
  checkExploreShare(exploreShare)
  if (ranking.length === 0) {
    return { mode: 'cold_start', arm: null, reason: 'cold start: no data, nothing is recorded for this task type yet' }
  }
  const benchmarked = ranking.filter(a => a.benchmarked).sort(rankBy === 'pass_rate' ? compareArmsByPassRate : compareArms)
  const [best] = benchmarked
  if (best === undefined) return coldStart(ranking, random)
  if (exploreShare > 0 && random() < exploreShare) return explore(ranking, exploreShare, random)
  return {
    mode: 'exploit',
    arm: best,
    reason: rankBy === 'pass_rate'
      ? `exploit: ${label(best)} has the highest pass rate (${(best.pass_rate ?? 0).toFixed(3)}, n=${best.n})`
      : `exploit: ${label(best)} has the highest 95% lower bound (${best.wilson_lower.toFixed(3)}, n=${best.n})`
  }
}

function coldStart (ranking: RankedArm[], random: Random): RouteDecision {
  const fewest = Math.min(...ranking.map(a => a.n))
  const least = ranking.filter(a => a.n === fewest)
  const arm = pick(least, random)
  const which = least.length === 1 ? 'the least-sampled' : `one of the ${least.length} least-sampled`
  return {
    mode: 'cold_start',
    arm,
    reason: `cold start: no arm has enough samples to be benchmarked yet; trying ${label(arm)}, ${which} of ${plural(ranking.length, 'known arm')} (n=${arm.n})`
  }
}

function explore (ranking: RankedArm[], exploreShare: number, random: Random): RouteDecision {
  const share = `explore (${+(exploreShare * 100).toFixed(2)}% share)`
  const under = ranking.filter(a => !a.benchmarked)
  if (under.length > 0) {
    const arm = pick(under, random)
    return {
      mode: 'explore',
      arm,
      reason: `${share}: ${label(arm)} has only ${plural(arm.n, 'sample')}, under the benchmark threshold; picked at random among ${plural(under.length, 'under-sampled arm')}`
    }
  }
  // biome-ignore lint/style/noNonNullAssertion: route() answered an empty ranking before coming here
  let arm = ranking[0]!
  let draw = -1
  for (const a of ranking) {
    // the weighted counts: a liar's 10^6 claimed passes must not win the draw either
    const x = sampleBeta(a.weighted_pass + 1, a.weighted_n - a.weighted_pass + 1, random)
    if (x > draw) { arm = a; draw = x }
  }
  return {
    mode: 'explore',
    arm,
    reason: `${share}: every arm is benchmarked, so Thompson sampling: ${label(arm)} drew ${draw.toFixed(3)} from its Beta(${+(arm.weighted_pass + 1).toFixed(2)}, ${+(arm.weighted_n - arm.weighted_pass + 1).toFixed(2)}) posterior, the highest of ${plural(ranking.length, 'arm')}`
  }
}

/** The compact view of a ranking that a route answer carries beside its decision. */
export interface ArmSummary {
  tool: string
  model: string
  n: number
  pass_rate: number | null
  wilson_lower: number
  benchmarked: boolean
}

export interface RouteResult extends RouteDecision {
  task_type: string
  scope: string
  explore_share: number
  ranking: ArmSummary[]
}

/** A route decision over a `best` answer, in the shape the CLI (--json) and HTTP API share. */
export function routeResult (best: { task_type: string, scope: string, ranking: RankedArm[] }, options: RouteOptions): RouteResult {
  const exploreShare = options.exploreShare ?? DEFAULT_EXPLORE_SHARE
  const decision = route(best.ranking, { exploreShare, random: options.random })
  return {
    task_type: best.task_type,
    scope: best.scope,
    explore_share: exploreShare,
    ...decision,
    ranking: best.ranking.map(a => ({ tool: a.tool, model: a.model, n: a.n, pass_rate: a.pass_rate, wilson_lower: a.wilson_lower, benchmarked: a.benchmarked }))
  }
}
