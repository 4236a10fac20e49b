import { addToEntry, countersOfOutcome, keyString } from '../core/counters.js'
import { dayOf } from '../core/time.js'
import type { CounterEntry, Outcome } from '../core/types.js'
import { counterArgs, upsertAddSql } from './counter-columns.js'
import { writeTransaction, type Db } from './db.js'
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
export function createLocalWriter (db: Db, rollup: ArmRollup): (outcomes: Outcome[], nowMs: number) => WriteResult {
  const insertOutcome = db.prepare(`INSERT INTO outcomes
    (client_id, task_type, tool, model, outcome, duration_s, cost_usd, offloaded, user_id, at_ms, day)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (client_id) WHERE client_id IS NOT NULL DO NOTHING`)
  const addCountersStmt = db.prepare(upsertAddSql('counters', ['task_type', 'origin', 'tool', 'model', 'day']))
  const markChanged = db.prepare('INSERT OR IGNORE INTO changed_keys (task_type, tool, model, day) VALUES (?, ?, ?, ?)')

  return writeTransaction(db, (outcomes: Outcome[], nowMs: number): WriteResult => {
    const startDay = rollup.startDay(nowMs)
    // Aggregate per key first: a batch of 1,000 outcomes touches each counter row once.
    const changes = new Map<string, CounterEntry>()
    let recorded = 0
    const inserted: boolean[] = []
    for (const o of outcomes) {
      const day = dayOf(o.atMs)
      const isNew = insertOutcome.run(o.id, o.taskType, o.tool, o.model, o.outcome, o.durationS, o.costUsd, o.offloaded ? 1 : 0, o.userId, o.atMs, day).changes > 0
      inserted.push(isNew)
      if (!isNew) continue
      recorded++
      const key = { taskType: o.taskType, tool: o.tool, model: o.model, day }
      addToEntry(changes, keyString(key), key, countersOfOutcome(o))
    }
    for (const e of changes.values()) {
      addCountersStmt.run(e.taskType, LOCAL_ORIGIN, e.tool, e.model, e.day, ...counterArgs(e))
      markChanged.run(e.taskType, e.tool, e.model, e.day)
    }
    rollup.addAll(LOCAL_ORIGIN, changes.values(), startDay)
    return { recorded, duplicates: outcomes.length - recorded, inserted }
  })
}
