import { wilsonInterval } from '../../src/core/wilson.js'
import { readOutcomeFile } from '../../src/ingest/outcome-file.js'
import { at } from './lists.js'

/**
 * Data side of the replay (npm run replay): the outcome file as rows, a seeded shuffle, the deal
 * of rows to nodes and rounds, and the ground truth every answer is scored against.
 */

export type Row = Record<string, unknown>

/** An arm is (tool, model); '\u0000' cannot occur in either label, so the key is unambiguous. */
export const armKey = (tool: unknown, model: unknown): string => `${String(tool).trim()}\u0000${typeof model === 'string' ? model.trim() : ''}`
/** The labels of an arm key ('' for an unspecified model, as armKey writes it). */
export const armOf = (key: string): { tool: string, model: string } => {
  const [tool = '', model = ''] = key.split('\u0000')
  return { tool, model }
}
export const armLabel = (key: string): string => {
  const { tool, model } = armOf(key)
  return model === '' ? tool : `${tool}/${model}`
}

export function loadRows (path: string): Row[] {
  return readOutcomeFile(path).rows.map(r => r.input)
}

/** Fisher-Yates with the given PRNG (deterministic for a seed); returns a new array. */
export function shuffle<T> (items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = at(out, i); out[i] = at(out, j); out[j] = t
  }
  return out
}

/**
 * Deals rows like cards: node i gets rows i, i+N, i+2N, ...; each node's hand is then cut into
 * `rounds` consecutive, near-equal slices. Result: [round][node] -> rows recorded that round.
 */
export function deal (rows: readonly Row[], nodes: number, rounds: number): Row[][][] {
  const hands = Array.from({ length: nodes }, (_, i) => rows.filter((_, k) => k % nodes === i))
  return Array.from({ length: rounds }, (_, r) => hands.map(hand =>
    hand.slice(Math.floor(r * hand.length / rounds), Math.floor((r + 1) * hand.length / rounds))))
}

export interface ArmTruth { key: string, n: number, pass: number, rate: number, wilsonLower: number }

export interface TaskTruth {
  taskType: string
  arms: Map<string, ArmTruth>
  /** arms tied for the highest pass rate among arms with n >= minSamples; empty when none has enough samples */
  best: Set<string>
  /** that highest pass rate; null when no arm has enough samples (the task type is then not scored) */
  bestRate: number | null
  /** unweighted mean pass rate of all the task type's arms: what a random pick gets */
  meanRate: number
}

/** Ground truth from all rows: per task type, every arm's pass rate over the whole file. */
export function groundTruth (rows: readonly Row[], minSamples: number): Map<string, TaskTruth> {
  const counts = new Map<string, Map<string, { n: number, pass: number }>>()
  for (const row of rows) {
    const taskType = String(row.task_type).trim()
    const key = armKey(row.tool, row.model)
    const arms = counts.get(taskType) ?? new Map<string, { n: number, pass: number }>()
    const c = arms.get(key) ?? { n: 0, pass: 0 }
    c.n++
    if (isPass(row)) c.pass++
    arms.set(key, c)
    counts.set(taskType, arms)
  }
  const out = new Map<string, TaskTruth>()
  for (const taskType of [...counts.keys()].sort()) {
    const arms = new Map<string, ArmTruth>()
    for (const [key, c] of counts.get(taskType) ?? []) {
      arms.set(key, { key, n: c.n, pass: c.pass, rate: c.pass / c.n, wilsonLower: wilsonInterval(c.pass, c.n).lower })
    }
    const eligible = [...arms.values()].filter(a => a.n >= minSamples)
    // exact comparison of rationals (pass/n) so equal rates tie without float noise
    let top: ArmTruth | null = null
    for (const a of eligible) if (top === null || a.pass * top.n > top.pass * a.n) top = a
    const best = new Set(top === null ? [] : eligible.filter(a => a.pass * top.n === top.pass * a.n).map(a => a.key))
    const rates = [...arms.values()].map(a => a.rate)
    out.set(taskType, { taskType, arms, best, bestRate: top?.rate ?? null, meanRate: rates.reduce((s, r) => s + r, 0) / rates.length })
  }
  return out
}

function isPass (row: Row): boolean {
  if (row.outcome !== undefined) return String(row.outcome).trim() === 'pass'
  return row.success === true
}

/**
 * Scores one answer (an arm key, or null when the node had no benchmarked arm) against the truth.
 * match: the answer is one of the arms tied for the highest pass rate.
 * regret: best pass rate minus the answer's pass rate over the whole file; for a null answer,
 * best pass rate minus the mean rate of the task type's arms (the expected rate of a random pick).
 * Returns null for a task type without ground truth (no arm with enough samples in the file).
 */
export function score (truth: TaskTruth, answer: string | null): { match: boolean, regret: number } | null {
  if (truth.bestRate === null) return null
  if (answer === null) return { match: false, regret: truth.bestRate - truth.meanRate }
  const arm = truth.arms.get(answer)
  if (arm === undefined) throw new Error(`answer ${armLabel(answer)} is not an arm of ${truth.taskType}`)
  return { match: truth.best.has(answer), regret: truth.bestRate - arm.rate }
}

/**
 * Agreement with the single-node answer (best() over all rows on one tracker): the same arm, or
 * a tie, i.e. an arm whose Wilson lower bound over all rows equals the single-node best's.
 */
export function agreement (truth: TaskTruth, answer: string | null, single: string | null): 'same' | 'tied' | 'differs' {
  if (answer === single) return 'same'
  if (answer === null || single === null) return 'differs'
  const a = truth.arms.get(answer)
  const b = truth.arms.get(single)
  return a !== undefined && b !== undefined && Math.abs(a.wilsonLower - b.wilsonLower) <= 1e-12 ? 'tied' : 'differs'
}
