import { addCounters, addToEntry, armKeyString } from '../core/counters.js'
import type { CounterEntry } from '../core/types.js'
import { dayOf } from '../core/time.js'
import { counterArgs, SCALAR_COLUMN_LIST, SUM_COUNTERS_SQL, upsertAddSql } from './counter-columns.js'
import type { Db } from './db.js'
import { META, PEERS_ORIGIN } from './schema.js'


const ARM_KEY = ['task_type', 'origin', 'tool', 'model']

/**
 * Maintains `arm_window`: per (task type, peer origin, arm) totals over the default window, plus
 * a row per arm summing the peer origins. (This node's own totals are kept in memory:
 * local-window.ts.) Writers call `startDay()` inside their transaction, then `add()` with
 * their counter changes; when the UTC day advances the window is rebuilt.
 */
export interface ArmRollup {
  readonly windowDays: number
  /** First day of the rollup window for `nowMs`; rebuilds the rollup if the day moved. Call inside a write transaction. */
  startDay: (nowMs: number) => number
  /**
   * Adds counter changes of peer origins (> 0), by origin; changes to days before `startDay` are
   * skipped. One upsert per (origin, arm) and one per arm for the all-peers row, however many
   * envelopes and days the changes came from: callers pass a whole batch at once.
   */
  add: (changes: ReadonlyMap<number, readonly CounterEntry[]>, startDay: number) => void
}

/**
 * Only the window moves here: retention pruning is the store's explicit maintenance step
 * (retention.ts), so no write or query can prune as a side effect of a clock that jumped.
 */
export function createArmRollup (db: Db, windowDays: number): ArmRollup {
  const readStart = db.prepare<[], { value: number }>(`SELECT value FROM meta WHERE key = '${META.windowStartDay}'`)
  const writeStart = db.prepare<[number]>(`INSERT OR REPLACE INTO meta (key, value) VALUES ('${META.windowStartDay}', ?)`)
  const addOrigin = db.prepare(upsertAddSql('arm_window', ARM_KEY) + ' RETURNING n')
  const addPeers = db.prepare(upsertAddSql('arm_window', ARM_KEY, ['origins']))
  const clear = db.prepare('DELETE FROM arm_window')
  const rebuildOrigins = db.prepare<[number]>(`INSERT INTO arm_window (${ARM_KEY.join(', ')}, ${SCALAR_COLUMN_LIST.join(', ')}, hist)
    SELECT task_type, origin, tool, model, ${SUM_COUNTERS_SQL} FROM counters WHERE day >= ? AND origin > 0
    GROUP BY task_type, origin, tool, model`)
  const rebuildPeers = db.prepare(`INSERT INTO arm_window (${ARM_KEY.join(', ')}, ${SCALAR_COLUMN_LIST.join(', ')}, hist, origins)
    SELECT task_type, ${PEERS_ORIGIN}, tool, model, ${SUM_COUNTERS_SQL}, COUNT(*) FROM arm_window
    WHERE origin > 0 AND n > 0 GROUP BY task_type, tool, model`)

  return {
    windowDays,
    startDay (nowMs) {
      const start = dayOf(nowMs) - windowDays + 1
      if (readStart.get()?.value !== start) {
        clear.run()
        rebuildOrigins.run(start)
        rebuildPeers.run()
        writeStart.run(start)
      }
      return start
    },
    add (changes, startDay) {
      const peers = new Map<string, CounterEntry>()
      const newlyContributing = new Map<string, number>()
      for (const [origin, list] of changes) {
        // Sum the changes per arm first: one upsert per arm, not per day key.
        const arms = new Map<string, CounterEntry>()
        for (const c of list) {
          if (c.day >= startDay) addToEntry(arms, armKeyString(c), c, c)
        }
        for (const [key, arm] of arms) {
          const after = addOrigin.get(arm.taskType, origin, arm.tool, arm.model, ...counterArgs(arm)) as { n: number }
          // A peer origin starts to count for this arm when its n leaves zero.
          if (arm.n > 0 && after.n === arm.n) newlyContributing.set(key, (newlyContributing.get(key) ?? 0) + 1)
          // `arm` is this loop's own sum, written above and read no more: the peers' sum may take it over
          const sum = peers.get(key)
          if (sum === undefined) peers.set(key, arm)
          else addCounters(sum, arm)
        }
      }
      for (const [key, arm] of peers) {
        addPeers.run(arm.taskType, PEERS_ORIGIN, arm.tool, arm.model, ...counterArgs(arm), newlyContributing.get(key) ?? 0)
      }
    }
  }
}
