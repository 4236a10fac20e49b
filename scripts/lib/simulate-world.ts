import { validateOutcome } from '../../src/core/outcome.js'
import { mulberry32, seedOf, type Random } from '../../src/core/random.js'
import type { Outcome } from '../../src/core/types.js'
import { at, zip } from './lists.js'
import { armKey, armOf, groundTruth, loadRows } from './replay-data.js'

/**
 * The world of npm run simulate: the arms of an outcome file, each with its true pass rate over
 * the whole file, and the streams of tasks and outcomes every simulated node lives through.
 */

/** An arm needs at least this many rows in the file to have a ground-truth pass rate (and to exist in the simulation). */
export const MIN_ARM_ROWS = 5

export interface SimArm {
  key: string
  tool: string
  model: string
  n: number
  pass: number
  /** pass / n over the whole file */
  rate: number
  /** the arm's rows by result: an observation copies the outcome class, duration and cost of one of them */
  passRows: Outcome[]
  failRows: Outcome[]
}

export interface SimTaskType {
  taskType: string
  /** rows of the file on this task type's arms: the default task mix */
  weight: number
  arms: SimArm[]
  /** keys of the arms tied for the highest pass rate */
  best: Set<string>
  bestRate: number
}

export interface World {
  /** by weight, heaviest first */
  taskTypes: SimTaskType[]
  rows: number
  /** task types of the file without an arm of MIN_ARM_ROWS rows: never dealt */
  dropped: string[]
}

/** Reads and validates an outcome file (any import format) into the simulation's world. */
export function loadWorld (path: string): World {
  const nowMs = Date.now()
  const outcomes = loadRows(path).map((row, i) => {
    try {
      // the file's timestamps do not matter here: every simulated outcome happens now
      return validateOutcome({ ...row, at: undefined, id: undefined }, { nowMs })
    } catch (err) {
      throw new Error(`${path}: row ${i + 1}: ${(err as Error).message}`)
    }
  })
  return worldOf(outcomes)
}

export function worldOf (outcomes: Outcome[]): World {
  const truth = groundTruth(outcomes.map(o => ({ task_type: o.taskType, tool: o.tool, model: o.model, outcome: o.outcome })), MIN_ARM_ROWS)
  const rowsOf = new Map<string, { pass: Outcome[], fail: Outcome[] }>()
  for (const o of outcomes) {
    const k = `${o.taskType}\u0001${armKey(o.tool, o.model)}`
    const r = rowsOf.get(k) ?? { pass: [], fail: [] }
    ;(o.outcome === 'pass' ? r.pass : r.fail).push(o)
    rowsOf.set(k, r)
  }
  const taskTypes: SimTaskType[] = []
  const dropped: string[] = []
  for (const t of truth.values()) {
    if (t.bestRate === null) { dropped.push(t.taskType); continue }
    const arms = [...t.arms.values()].filter(a => a.n >= MIN_ARM_ROWS).map(a => {
      const r = rowsOf.get(`${t.taskType}\u0001${a.key}`) ?? { pass: [], fail: [] }
      const { tool, model } = armOf(a.key)
      return { key: a.key, tool, model, n: a.n, pass: a.pass, rate: a.rate, passRows: r.pass, failRows: r.fail }
    })
    taskTypes.push({ taskType: t.taskType, weight: arms.reduce((s, a) => s + a.n, 0), arms, best: t.best, bestRate: t.bestRate })
  }
  taskTypes.sort((a, b) => b.weight - a.weight || (a.taskType < b.taskType ? -1 : 1))
  return { taskTypes, rows: outcomes.length, dropped }
}

/** A PRNG for one stream of one node of one seeded run: the same for every policy (common random numbers). */
export const streamOf = (seed: number, stream: 'tasks' | 'outcomes' | 'route', node: number): Random => mulberry32(seedOf(`${seed}/${stream}/${node}`))

function pickWeighted<T> (items: T[], weights: number[], random: Random): T {
  let u = random() * weights.reduce((s, w) => s + w, 0)
  for (const [item, weight] of zip(items, weights)) {
    u -= weight
    if (u < 0) return item
  }
  return at(items, items.length - 1, 'item')
}

/** Task types every node mostly sees under --skew: two per node, round robin over the types by weight. */
export const SKEW_HOME_TYPES = 2

/**
 * The task types node `node` receives, one per call: drawn from the file's mix, or with
 * probability `skew` from the node's home types (by their weight in the file).
 */
export function taskArrivals (world: World, seed: number, node: number, skew: number): () => SimTaskType {
  const random = streamOf(seed, 'tasks', node)
  const all = world.taskTypes
  const weights = all.map(t => t.weight)
  const home = Array.from({ length: Math.min(SKEW_HOME_TYPES, all.length) }, (_, k) => at(all, (node * SKEW_HOME_TYPES + k) % all.length, 'task type'))
  const homeWeights = home.map(t => t.weight)
  return () => skew > 0 && random() < skew ? pickWeighted(home, homeWeights, random) : pickWeighted(all, weights, random)
}

/**
 * What happens when a node runs a task on an arm: pass with the arm's true pass rate; the
 * outcome class, duration and cost are those of one of the arm's rows with that result. Two
 * draws per task whatever the arm, so every policy sees the same luck on the same task.
 */
export function outcomeDraws (seed: number, node: number): (arm: SimArm) => Outcome {
  const random = streamOf(seed, 'outcomes', node)
  return arm => {
    const u = random()
    const v = random()
    const rows = u < arm.rate ? arm.passRows : arm.failRows
    // rows of the drawn result exist: a rate of 0 never passes, a rate of 1 never fails
    return at(rows, Math.min(rows.length - 1, Math.floor(v * rows.length)), 'row of the arm')
  }
}
