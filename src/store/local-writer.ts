import { addOutcome } from '../core/counters.js'
import type { CounterEntry, Outcome } from '../core/types.js'
import { counterArgs, upsertAddSql } from './counter-columns.js'
import { writeTransaction, type Db } from './db.js'
import type { RawOutcomeLog } from './raw-outcomes.js'
import type { ArmRollup } from './rollup.js'

export interface RecordResult {
  recorded: number
  duplicates: number
}

/** What the writer knows besides the totals: which of the given outcomes were new. */
export interface WriteResult extends RecordResult {
  /** inserted[i]: outcome i was recorded (false: its id had been recorded before) */
  inserted: boolean[]
}

export const LOCAL_ORIGIN = 0

/**
 * Records outcomes: raw rows, this node's day counters, change marks and the rollup, all in
 * one transaction, so a batch is all-or-nothing and queries never need the raw rows.
 */
export function createLocalWriter (db: Db, rollup: ArmRollup, rawOutcomes: RawOutcomeLog): (outcomes: Outcome[], nowMs: number) => WriteResult {
  const addCountersStmt = db.prepare(upsertAddSql('counters', ['task_type', 'origin', 'tool', 'model', 'day']))
  const markChanged = db.prepare('INSERT OR IGNORE INTO changed_keys (task_type, tool, model, day) VALUES (?, ?, ?, ?)')

  return writeTransaction(db, (outcomes: Outcome[], nowMs: number): WriteResult => {
    const startDay = rollup.startDay(nowMs)
    // Aggregate per key first: a batch of 1,000 outcomes touches each counter row once.
    const changes = new Map<string, CounterEntry>()
    let recorded = 0
    const inserted = rawOutcomes.append(outcomes)
    for (let i = 0; i < outcomes.length; i++) {
      if (!inserted[i]) continue
      recorded++
      addOutcome(changes, outcomes[i])
    }
    for (const e of changes.values()) {
      addCountersStmt.run(e.taskType, LOCAL_ORIGIN, e.tool, e.model, e.day, ...counterArgs(e))
      markChanged.run(e.taskType, e.tool, e.model, e.day)
    }
    rollup.addAll(LOCAL_ORIGIN, changes.values(), startDay)
    return { recorded, duplicates: outcomes.length - recorded, inserted }
  })
}
