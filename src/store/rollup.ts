import type { CounterKey, Counters } from '../core/types.js'
import { dayOf } from '../core/time.js'
import { counterParams, SCALAR_COLUMN_LIST, SUM_COUNTERS_SQL, upsertAddSql } from './counter-columns.js'
import type { Db } from './db.js'

export const HIVE_ORIGIN = -1

const ARM_KEY = ['task_type', 'origin', 'tool', 'model']

/**
 * Maintains `arm_window`: per (task type, origin, arm) totals over the default window, plus a
 * hive-sum row (origin -1) per arm. Writers call `startDay()` inside their transaction, then
 * `add()` for every counter change; when the UTC day advances the window is rebuilt once.
 */
export interface ArmRollup {
  readonly windowDays: number
  /** First day of the rollup window for `nowMs`; rebuilds the rollup if the day moved. Call inside a write transaction. */
  startDay: (nowMs: number) => number
  /** Adds a counter change of `origin` (0 = self) for `key` if its day is inside the window. */
  add: (origin: number, key: CounterKey, delta: Counters, startDay: number) => void
}

/**
 * `onNewDay(nowMs)` runs inside the same transaction before a rebuild: the store's once-a-day
 * maintenance (retention pruning) hangs off it.
 */
export function createArmRollup (db: Db, windowDays: number, onNewDay: (nowMs: number) => void): ArmRollup {
  const readStart = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'window_start_day'")
  const writeStart = db.prepare<[number]>("INSERT OR REPLACE INTO meta (key, value) VALUES ('window_start_day', ?)")
  const addOrigin = db.prepare(upsertAddSql('arm_window', ARM_KEY) + ' RETURNING n')
  const addHive = db.prepare(upsertAddSql('arm_window', ARM_KEY, ['origins']))
  const clear = db.prepare('DELETE FROM arm_window')
  const rebuildOrigins = db.prepare<[number]>(`INSERT INTO arm_window (${ARM_KEY.join(', ')}, ${SCALAR_COLUMN_LIST.join(', ')}, hist)
    SELECT task_type, origin, tool, model, ${SUM_COUNTERS_SQL} FROM counters WHERE day >= ?
    GROUP BY task_type, origin, tool, model`)
  const rebuildHive = db.prepare(`INSERT INTO arm_window (${ARM_KEY.join(', ')}, ${SCALAR_COLUMN_LIST.join(', ')}, hist, origins)
    SELECT task_type, ${HIVE_ORIGIN}, tool, model, ${SUM_COUNTERS_SQL}, COUNT(*) FROM arm_window
    WHERE origin >= 0 AND n > 0 GROUP BY task_type, tool, model`)

  return {
    windowDays,
    startDay (nowMs) {
      const start = dayOf(nowMs) - windowDays + 1
      if (readStart.get()?.value !== start) {
        onNewDay(nowMs)
        clear.run()
        rebuildOrigins.run(start)
        rebuildHive.run()
        writeStart.run(start)
      }
      return start
    },
    add (origin, key, delta, startDay) {
      if (key.day < startDay) return
      const params = { task_type: key.taskType, tool: key.tool, model: key.model, ...counterParams(delta) }
      const after = addOrigin.get({ ...params, origin }) as { n: number }
      // The origin starts to count for this arm when its n leaves zero.
      const newlyContributing = delta.n > 0 && after.n === delta.n ? 1 : 0
      addHive.run({ ...params, origin: HIVE_ORIGIN, origins: newlyContributing })
    }
  }
}
