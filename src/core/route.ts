import { ValidationError } from '../errors.js'
import { DEFAULT_MIN_SAMPLES } from './limits.js'
import { sampleBeta, type Random } from './random.js'
import { compareArms, compareArmsByPassRate, type RankedArm } from './ranking.js'

/**
 * The explore share is the chance that each arm's estimate is a draw from its Beta posterior
 * instead of its posterior mean (epsilon in epsilon-exploring Thompson sampling). By default it is
 * DEFAULT_DRAWN_ARMS / (arms in the ranking), at most 1: on average two arms per decision are
 * scored by a draw, however many there are. npm run eval:route and npm run simulate measured
 * the best fixed share falling with the number of arms (2 arms: 0.2 to 1; 10 arms: 0.2; the
 * SWE-bench task types' 25 arms: 0.1); README.md, "Routing".
 */
export const DEFAULT_DRAWN_ARMS = 2

/** The explore share route() uses on `arms` arms when none is given. */
export const defaultExploreShare = (arms: number): number => Math.min(1, DEFAULT_DRAWN_ARMS / Math.max(1, arms))

/** The one help text of the explore share (CLI, HTTP API, MCP). */
export const EXPLORE_SHARE_HELP = `each arm's chance to be scored by a draw from its posterior instead of its mean, 0..1 (default ${DEFAULT_DRAWN_ARMS} / the number of arms, at most 1; 0: always the best arm; 1: plain Thompson sampling); exploration fades as the arms separate`

/**
 * An arm that is not benchmarked (too few samples, or not corroborated by enough origins) weighs
 * at most this many samples in a draw: a liar's 10^6 claimed passes on an arm nobody else reports
 * count as 5 of 5, like an honest arm's first five passes, until a second origin reports it.
 */
export const UNBENCHMARKED_DRAW_CAP = DEFAULT_MIN_SAMPLES

export type RouteMode = 'exploit' | 'explore' | 'cold_start'

export interface RouteDecision {
  mode: RouteMode
  /** null only when no arm is known at all */
  arm: RankedArm | null
  /** one human sentence: what was done and why */
  reason: string
}

export interface RouteOptions {
  /** 0..1: the chance that each arm's estimate is a posterior draw; 0 routes to the best arm, 1 is plain Thompson sampling; default defaultExploreShare(arms) */
  exploreShare?: number
  random: Random
  /**
   * The arm that explore share 0 routes to: the best by the Wilson lower bound (the default,
   * what `best` answers) or by the raw pass rate (the replaced tracker's rule, for comparison only).
   */
  rankBy?: 'wilson_lower' | 'pass_rate'
}

const label = (arm: RankedArm): string => arm.model === '' ? arm.tool : `${arm.tool} / ${arm.model}`
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

export function checkExploreShare (share: number): number {
  if (!Number.isFinite(share) || share < 0 || share > 1) throw new ValidationError('explore_share', 'range', 'must be a number from 0 to 1')
  return share
}

/** The Beta(pass + 1, fail + 1) posterior of an arm's defended (weighted) counts, capped while it is not benchmarked. */
export function posteriorOf (arm: RankedArm): { alpha: number, beta: number } {
  const scale = arm.benchmarked || arm.weighted_n <= UNBENCHMARKED_DRAW_CAP ? 1 : UNBENCHMARKED_DRAW_CAP / arm.weighted_n
  const pass = arm.weighted_pass * scale
  return { alpha: pass + 1, beta: arm.weighted_n * scale - pass + 1 }
}

const posteriorMean = ({ alpha, beta }: { alpha: number, beta: number }): number => alpha / (alpha + beta)
const betaText = ({ alpha, beta }: { alpha: number, beta: number }): string => `Beta(${+alpha.toFixed(2)}, ${+beta.toFixed(2)})`

/**
 * Picks the arm to use now (README.md, "Routing: which tool to use now") by epsilon-exploring
 * Thompson sampling (Jin et al., "Thompson Sampling with Less Exploration is Fast and Optimal",
 * ICML 2023): each arm's estimate is, with probability `exploreShare`, a draw from its Beta
 * posterior, else its posterior mean; the highest estimate wins. Only benchmarked arms have a
 * mean estimate, so the others are reached by draws alone. A clearly worse arm's draws almost
 * never beat the leader's mean, so exploration fades as the evidence separates the arms, and it
 * stays among the arms that could still be best. `exploit`: the winner won on its mean;
 * `explore`: on a draw; `cold_start`: nothing is benchmarked, every estimate is a draw (an arm
 * nobody has tried draws from Beta(1, 1), so it comes before arms that keep failing).
 * `exploreShare` 0 turns every draw off: the best benchmarked arm (the arm `best` answers), or
 * before there is one the least-sampled arm.
 * Pure: the only source of chance is `random`, so a seeded PRNG makes it deterministic.
 */
export function route (ranking: RankedArm[], { exploreShare = defaultExploreShare(ranking.length), random, rankBy = 'wilson_lower' }: RouteOptions): RouteDecision {
  checkExploreShare(exploreShare)
  const [first] = ranking
  if (first === undefined) {
    return { mode: 'cold_start', arm: null, reason: 'cold start: no data, nothing is recorded for this task type yet' }
  }
  const benchmarked = ranking.filter(a => a.benchmarked).sort(rankBy === 'pass_rate' ? compareArmsByPassRate : compareArms)
  const [best] = benchmarked
  if (exploreShare === 0) return best === undefined ? leastSampled(ranking, random) : exploitBest(best, rankBy)
  if (best === undefined) return coldStart(first, ranking, random)
  // every benchmarked arm has an estimate in [0, 1], so -Infinity is always beaten
  let arm = best
  let top = -Infinity
  let drawn = false
  for (const a of ranking) {
    const posterior = posteriorOf(a)
    const draw = random() < exploreShare
    if (!draw && !a.benchmarked) continue
    const estimate = draw ? sampleBeta(posterior.alpha, posterior.beta, random) : posteriorMean(posterior)
    if (estimate > top) { arm = a; top = estimate; drawn = draw }
  }
  const share = `${+(exploreShare * 100).toFixed(2)}% explore share`
  const posterior = betaText(posteriorOf(arm))
  if (!drawn) {
    return {
      mode: 'exploit',
      arm,
      reason: `exploit: ${label(arm)} has the highest estimated pass rate (posterior mean ${top.toFixed(3)} of ${posterior}, n=${arm.n}); no other arm's draw (${share}) beat it`
    }
  }
  return {
    mode: 'explore',
    arm,
    reason: `explore (Thompson sampling, ${share}): ${label(arm)} drew ${top.toFixed(3)} from its ${posterior} posterior (n=${arm.n}${arm.benchmarked ? '' : ', not yet benchmarked'}), above every other arm's estimate`
  }
}

function exploitBest (best: RankedArm, rankBy: NonNullable<RouteOptions['rankBy']>): RouteDecision {
  return {
    mode: 'exploit',
    arm: best,
    reason: rankBy === 'pass_rate'
      ? `exploit: ${label(best)} has the highest pass rate (${(best.pass_rate ?? 0).toFixed(3)}, n=${best.n})`
      : `exploit: ${label(best)} has the highest 95% lower bound (${best.wilson_lower.toFixed(3)}, n=${best.n})`
  }
}

/** One of `items` (never empty: each caller picks from arms it has just seen) at random. */
// biome-ignore lint/style/noNonNullAssertion: the index is in [0, items.length), and items is never empty
const pick = <T>(items: T[], random: Random): T => items[Math.min(items.length - 1, Math.floor(random() * items.length))]!

/** Exploration off and nothing benchmarked: the least-sampled arm, no posterior draw (the replaced rule's cold start). */
function leastSampled (ranking: RankedArm[], random: Random): RouteDecision {
  const fewest = Math.min(...ranking.map(a => a.n))
  const least = ranking.filter(a => a.n === fewest)
  const arm = pick(least, random)
  const which = least.length === 1 ? 'the least-sampled' : `one of the ${least.length} least-sampled`
  return {
    mode: 'cold_start',
    arm,
    reason: `cold start: no arm has enough samples to be benchmarked yet and exploration is off; trying ${label(arm)}, ${which} of ${plural(ranking.length, 'known arm')} (n=${arm.n})`
  }
}

function coldStart (first: RankedArm, ranking: RankedArm[], random: Random): RouteDecision {
  let arm = first
  let top = -1
  for (const a of ranking) {
    const { alpha, beta } = posteriorOf(a)
    const x = sampleBeta(alpha, beta, random)
    if (x > top) { arm = a; top = x }
  }
  return {
    mode: 'cold_start',
    arm,
    reason: `cold start: no arm has enough samples to be benchmarked yet; Thompson sampling over ${plural(ranking.length, 'known arm')}: ${label(arm)} drew ${top.toFixed(3)} from its ${betaText(posteriorOf(arm))} posterior (n=${arm.n})`
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
  const exploreShare = options.exploreShare ?? defaultExploreShare(best.ranking.length)
  const decision = route(best.ranking, { exploreShare, random: options.random })
  return {
    task_type: best.task_type,
    scope: best.scope,
    explore_share: exploreShare,
    ...decision,
    ranking: best.ranking.map(a => ({ tool: a.tool, model: a.model, n: a.n, pass_rate: a.pass_rate, wilson_lower: a.wilson_lower, benchmarked: a.benchmarked }))
  }
}
