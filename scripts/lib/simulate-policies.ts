import { DEFAULT_MIN_SAMPLES, DEFAULT_ORIGIN_CAP } from '../../src/core/limits.js'
import { toRankedArm, type RankedArm } from '../../src/core/ranking.js'
import { DEFAULT_DRAWN_ARMS, route, type RouteMode, type RouteOptions } from '../../src/core/route.js'
import type { Random } from '../../src/core/random.js'
import { emptyScalars } from '../../src/core/types.js'
import type { Scope } from '../../src/store/arm-queries.js'
import { armKey } from './replay-data.js'
import type { SimArm, SimTaskType } from './simulate-world.js'

export const POLICIES = ['hive', 'local', 'hive-no-explore', 'mean-min5', 'central', 'oracle'] as const
export type PolicyName = typeof POLICIES[number]

/**
 * How a policy's nodes learn: `hive` nodes share deltas every K tasks; `none` nodes keep their
 * outcomes; `central` is one store that every node records into and routes from at once; the
 * oracle routes on the ground truth itself.
 */
export type Learning = 'hive' | 'none' | 'central' | 'truth'

export interface Policy {
  name: PolicyName
  learning: Learning
  /** the ranking route() is given: this node's store in this scope */
  scope: Scope
  /** undefined: route()'s default, 2 / the number of arms */
  exploreShare?: number
  rankBy: NonNullable<RouteOptions['rankBy']>
  description: string
}

/** Every policy, with the explore share the default policies (hive, local, central) use (undefined: route()'s default). */
export function policies (exploreShare?: number): Record<PolicyName, Policy> {
  const share = `explore share ${exploreShare ?? `${DEFAULT_DRAWN_ARMS} / arms`}`
  return {
    hive: { name: 'hive', learning: 'hive', scope: 'hive', exploreShare, rankBy: 'wilson_lower', description: `hive scope, deltas shared every K tasks, ${share} (the product's default)` },
    local: { name: 'local', learning: 'none', scope: 'local', exploreShare, rankBy: 'wilson_lower', description: `local scope, nothing shared, ${share}` },
    'hive-no-explore': { name: 'hive-no-explore', learning: 'hive', scope: 'hive', exploreShare: 0, rankBy: 'wilson_lower', description: 'hive scope, deltas shared every K tasks, exploration off' },
    'mean-min5': { name: 'mean-min5', learning: 'hive', scope: 'hive', exploreShare: 0, rankBy: 'pass_rate', description: `the replaced tracker's rule in the hive: raw pass rate, >= ${DEFAULT_MIN_SAMPLES} samples, no exploration, no confidence bound` },
    central: { name: 'central', learning: 'central', scope: 'local', exploreShare, rankBy: 'wilson_lower', description: `one store seeing every node's outcome at once, ${share} (the upper bound for any hive)` },
    oracle: { name: 'oracle', learning: 'truth', scope: 'local', exploreShare: 0, rankBy: 'pass_rate', description: 'always a true best arm (the regret reference)' }
  }
}

const rankedOf = (arm: SimArm, n: number, pass: number): RankedArm => toRankedArm({
  tool: arm.tool,
  model: arm.model,
  totals: { ...emptyScalars(), n, pass, grader_fail: n - pass },
  hist: null,
  origins: n > 0 ? 1 : 0,
  perOrigin: []
}, { minSamples: DEFAULT_MIN_SAMPLES, originCap: DEFAULT_ORIGIN_CAP })

/**
 * The arms an agent can run on a task type but that its store has never seen have no ranked
 * row; an agent configured with them offers them to route() with zero samples, so cold start and
 * exploration can try them. Without this a node would only ever re-try the arms it tried first.
 */
export function withCandidates (ranking: readonly RankedArm[], taskType: SimTaskType): RankedArm[] {
  const seen = new Set(ranking.map(a => armKey(a.tool, a.model)))
  return [...ranking, ...taskType.arms.filter(a => !seen.has(a.key)).map(a => rankedOf(a, 0, 0))]
}

/** The ranking the oracle routes on: every arm with its counts over the whole file. */
export const truthRanking = (taskType: SimTaskType): RankedArm[] => taskType.arms.map(a => rankedOf(a, a.n, a.pass))

/** One decision through the real route(): the arm (of the task type) to run now, and route()'s mode. */
export function choose (policy: Policy, ranking: RankedArm[], taskType: SimTaskType, random: Random): { arm: SimArm, mode: RouteMode } {
  const decision = route(ranking, { exploreShare: policy.exploreShare, random, rankBy: policy.rankBy })
  if (decision.arm === null) throw new Error(`route() chose no arm for ${taskType.taskType}`)
  const key = armKey(decision.arm.tool, decision.arm.model)
  const arm = taskType.arms.find(a => a.key === key)
  if (arm === undefined) throw new Error(`route() chose ${key} which is not an arm of ${taskType.taskType}`)
  return { arm, mode: decision.mode }
}
