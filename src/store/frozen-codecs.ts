import { createRequire } from 'node:module'
import type { Packr } from 'msgpackr'

/**
 * The encodings migrations 3 and 5 wrote, frozen as they were then. A migration is history: it
 * must build the same rows on a node upgrading in a year as it did on release, whatever the
 * live codec (raw-outcomes.ts) has become since. Never edit these; a new format gets a new
 * migration and a new frozen copy here.
 */

// useRecords: false keeps the tuples plain arrays, readable by any msgpack decoder. Loaded on
// first use, as in raw-outcomes.ts: only a migration needs it, and read commands must not pay for msgpackr.
let packrInstance: Packr | undefined
const packr = (): Packr => (packrInstance ??= new (createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr')).Packr({ useRecords: false }))

/** The outcome classes in the order migration 3 coded them (0..4). */
const V3_CLASSES = ['pass', 'grader_fail', 'timeout', 'no_tool_calls', 'error']

/** An outcome as migration 3 read it from the v1 `outcomes` table. */
export interface V3Outcome {
  taskType: string
  tool: string
  model: string
  outcome: string
  durationS: number | null
  costUsd: number | null
  offloaded: boolean
  userId: string | null
  id: string | null
  atMs: number
}

/** Migration 3's `outcome_batches.body`: a msgpack array of [at_ms, task_type, tool, model, class, duration_s, cost_usd, offloaded, user_id, id]. */
export function v3OutcomeBatch (outcomes: readonly V3Outcome[]): Buffer {
  return packr().pack(outcomes.map(o => [o.atMs, o.taskType, o.tool, o.model, Math.max(0, V3_CLASSES.indexOf(o.outcome)), o.durationS, o.costUsd, o.offloaded ? 1 : 0, o.userId, o.id]))
}

/** Migration 5's `outcome_batches.keys`: a msgpack array of [task_type, tool, model, day]. */
export function v5BatchKeys (keys: ReadonlyArray<{ taskType: string, tool: string, model: string, day: number }>): Buffer {
  return packr().pack(keys.map(k => [k.taskType, k.tool, k.model, k.day]))
}
