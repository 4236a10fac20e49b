import { diffCounters, isZeroCounters, maxCounters } from '../core/counters.js'
import { counterEntry, type CounterEntry } from '../core/types.js'
import { counterArgs, countersFromRow, SCALAR_COLUMN_LIST, type CounterRow } from './counter-columns.js'
import { createCountersVersion } from './counters-version.js'
import type { Db } from './db.js'

/**
 * Merges a peer origin's absolute counters into its rows by element-wise max (protocol/README.md,
 * "Merge semantics": a G-Counter, so duplicated, reordered or replayed entries change nothing) and
 * hands back the growth, which the caller adds to the rollup once per batch of envelopes. Call
 * inside a write transaction. Returns how many keys grew.
 */
export interface MergeTally {
  /** keys whose counters grew */
  grew: number
  /** keys created */
  created: number
  /** entries for new keys refused: the origin had no room left (MAX_KEYS_PER_ORIGIN, R29) */
  refused: number
  /** entries for new arms refused: the origin already held its most arms in that task type (MAX_ARMS_PER_TASK_TYPE, R30) */
  refusedArms: number
}

/** What one origin may add: new keys (R29) and new arms per task type (R30). */
export interface MergeRoom {
  keys: number
  armsPerTaskType: number
}

export type CounterMerger = (origin: number, entries: CounterEntry[], oldestDay: number, room: MergeRoom, growth: CounterEntry[]) => MergeTally

/** `growth` receives what each key grew by (new keys: the entry itself), for the rollup. */
export function createCounterMerger (db: Db): CounterMerger {
  // the arms (tool, model) an origin holds in a task type, on any retained day: a walk of the primary key's prefix
  const heldArms = db.prepare<[string, number], [string, string]>('SELECT DISTINCT tool, model FROM counters WHERE task_type = ? AND origin = ?').raw(true)
  const read = db.prepare<[string, number, string, string, number], CounterRow>(
    'SELECT * FROM counters WHERE task_type = ? AND origin = ? AND tool = ? AND model = ? AND day = ?')
  const insert = db.prepare(`INSERT INTO counters (${SCALAR_COLUMN_LIST.join(', ')}, hist, task_type, origin, tool, model, day)
    VALUES (${Array.from({ length: 5 + SCALAR_COLUMN_LIST.length + 1 }, () => '?').join(', ')})`)
  // An existing row is updated in place: INSERT OR REPLACE deleted and re-inserted it, touching
  // the primary key and the day index twice.
  const update = db.prepare(`UPDATE counters SET ${[...SCALAR_COLUMN_LIST, 'hist'].map(c => `${c} = ?`).join(', ')}
    WHERE task_type = ? AND origin = ? AND tool = ? AND model = ? AND day = ?`)
  const version = createCountersVersion(db)

  return (origin, entries, oldestDay, room, growth) => {
    let grew = 0
    let created = 0
    let refused = 0
    let refusedArms = 0
    // per task type of this envelope, the origin's arms there (read once, on the first new key)
    const arms = new Map<string, Set<string>>()
    const armsIn = (taskType: string): Set<string> => {
      let held = arms.get(taskType)
      if (held === undefined) {
        held = new Set(heldArms.all(taskType, origin).map(([tool, model]) => `${tool}\0${model}`))
        arms.set(taskType, held)
      }
      return held
    }
    for (const e of entries) {
      // Retention (protocol/README.md, R21): a pruned day is never merged back.
      if (e.day < oldestDay) continue
      const row = read.get(e.taskType, origin, e.tool, e.model, e.day)
      if (row === undefined) {
        // R30: a new arm only while the origin holds fewer than its most in this task type
        const held = armsIn(e.taskType)
        const arm = `${e.tool}\0${e.model}`
        if (!held.has(arm) && held.size >= room.armsPerTaskType) {
          refusedArms++
          continue
        }
        if (created >= room.keys) {
          refused++
          continue
        }
        // max(0, e) = e and its growth is e: no row to read, nothing to compare
        if (isZeroCounters(e)) continue
        insert.run(...counterArgs(e), e.taskType, origin, e.tool, e.model, e.day)
        held.add(arm)
        created++
        grew++
        growth.push(e)
        continue
      }
      const old = counterEntry(e, countersFromRow(row))
      const merged = maxCounters(old, e)
      const delta = diffCounters(merged, old)
      if (isZeroCounters(delta)) continue
      update.run(...counterArgs(merged), e.taskType, origin, e.tool, e.model, e.day)
      grew++
      growth.push(counterEntry(e, delta))
    }
    if (grew > 0) version.bump()
    return { grew, created, refused, refusedArms }
  }
}
