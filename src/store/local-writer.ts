import { addOutcome } from '../core/counters.js'
import type { CounterEntry, Outcome, RecordResult } from '../core/types.js'
import { counterArgs, upsertAddSql } from './counter-columns.js'
import { createCountersVersion } from './counters-version.js'
import { writeTransaction, type Db } from './db.js'
import type { RawOutcomeLog } from './raw-outcomes.js'
import type { ArmRollup } from './rollup.js'
import { LOCAL_ORIGIN } from './schema.js'

export type { RecordResult }

/** What the writer knows besides the totals: which of the given outcomes were new, and what changed. */
export interface WriteResult extends RecordResult {
  /** inserted[i]: outcome i was recorded (false: its id had been recorded before) */
  inserted: boolean[]
  /** the day counters added, per key: the store adds them to its in-memory window (local-window.ts) once committed */
  changes: Iterable<CounterEntry>
  /** first day of the rollup window at the time of writing */
  windowStart: number
}

/**
 * Records outcomes: the raw batch (with the keys it changed: the change marks) and this node's
 * day counters, in one transaction, so a batch is all-or-nothing and queries never need the raw
 * rows. (This node's window totals live in memory, local-window.ts; the caller adds `changes`
 * after the commit.)
 */
export function createLocalWriter (db: Db, rollup: ArmRollup, rawOutcomes: RawOutcomeLog): (outcomes: Outcome[], nowMs: number) => WriteResult {
  const addCountersStmt = db.prepare(upsertAddSql('counters', ['task_type', 'origin', 'tool', 'model', 'day']))
  const version = createCountersVersion(db)

  return writeTransaction(db, (outcomes: Outcome[], nowMs: number): WriteResult => {
    const windowStart = rollup.startDay(nowMs)
    // Aggregate per key first: a batch of 1,000 outcomes touches each counter row once.
    const changes = new Map<string, CounterEntry>()
    const inserted = rawOutcomes.claimIds(outcomes)
    const kept = outcomes.filter((_, i) => inserted[i])
    for (const o of kept) addOutcome(changes, o)
    rawOutcomes.append(kept, changes.values())
    for (const e of changes.values()) addCountersStmt.run(e.taskType, LOCAL_ORIGIN, e.tool, e.model, e.day, ...counterArgs(e))
    if (kept.length > 0) version.bump()
    return { recorded: kept.length, duplicates: outcomes.length - kept.length, inserted, changes: changes.values(), windowStart }
  })
}
