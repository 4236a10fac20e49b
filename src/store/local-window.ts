import { addScalars } from '../core/counters.js'
import { addHistBlobs, encodeHist } from '../core/histogram.js'
import { emptyScalars, type CounterEntry, type ScalarCounters } from '../core/types.js'
import { histFromHex, scalarCountersFromValues, SUM_SCALARS_SQL } from './counter-columns.js'
import type { Db } from './db.js'
import { LOCAL_ORIGIN } from './local-writer.js'

/** One of this node's arms summed over the rollup window. Read-only for readers: it changes with each commit. */
export interface LocalArm {
  readonly taskType: string
  readonly tool: string
  readonly model: string
  readonly totals: Readonly<ScalarCounters>
  /** encoded (core/histogram.ts); null when no duration is known */
  readonly hist: Buffer | null
}

interface MutableArm { taskType: string, tool: string, model: string, totals: ScalarCounters, hist: Buffer | null }

/**
 * This node's own arms over the default window, kept in memory instead of in `arm_window`.
 * Upserting a rollup row for every key of every transaction was the costliest statement of
 * recording (it more than halved single-outcome throughput), while this node is the only
 * writer of its own counters: it adds what it commits, and reloads from the day counters
 * when the window moves or another connection (a CLI command beside the daemon) committed.
 */
export interface LocalWindow {
  /** the arms of `taskType` (null: every task type) over the window starting at `startDay` */
  arms: (taskType: string | null, startDay: number) => Iterable<LocalArm>
  /** adds changes this connection has committed; days before `startDay` are outside the window */
  addCommitted: (changes: Iterable<CounterEntry>, startDay: number) => void
}

type Arms = Map<string, Map<string, MutableArm>>

const armKey = (tool: string, model: string): string => `${tool}\0${model}`

export function createLocalWindow (db: Db): LocalWindow {
  // counters_day (day, origin) (migration 4) finds this node's rows without reading the peers';
  // one task type's rows come by the primary key (task_type, origin, ...).
  const select = `SELECT task_type, tool, model, ${SUM_SCALARS_SQL}, hex(hist_sum(hist)) FROM counters`
  const loadAll = db.prepare<[number], unknown[]>(`${select} INDEXED BY counters_day WHERE day >= ? AND origin = ${LOCAL_ORIGIN} GROUP BY task_type, tool, model`).raw(true)
  const loadTaskType = db.prepare<[string, number], unknown[]>(`${select} WHERE task_type = ? AND origin = ${LOCAL_ORIGIN} AND day >= ? GROUP BY tool, model`).raw(true)
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck()
  // Task types load on first use: a one-shot CLI query about one task type (most of them) reads
  // its own rows, not the whole window (~150 ms of a 100k-outcome data dir's first query).
  let loaded: { startDay: number, dataVersion: number, arms: Arms, complete: boolean } | null = null

  const fresh = (taskType: string | null, startDay: number): Arms => {
    // data_version changes only when another connection commits: our own commits are added as they happen.
    const version = dataVersion.get() as number
    if (loaded === null || loaded.startDay !== startDay || loaded.dataVersion !== version) {
      loaded = { startDay, dataVersion: version, arms: new Map(), complete: false }
    }
    const state = loaded
    if (!state.complete && (taskType === null || !state.arms.has(taskType))) {
      if (taskType === null) state.arms.clear()
      else state.arms.set(taskType, new Map())
      const rows = taskType === null ? loadAll.all(startDay) : loadTaskType.all(taskType, startDay)
      for (const row of rows) {
        put(state.arms, {
          taskType: row[0] as string,
          tool: row[1] as string,
          model: row[2] as string,
          totals: scalarCountersFromValues(row, 3),
          hist: histFromHex(row[row.length - 1] as string | null)
        })
      }
      state.complete = taskType === null
    }
    // Read inside an enclosing transaction, the rows may include writes that still roll back.
    if (db.inTransaction) loaded = null
    return state.arms
  }

  return {
    arms (taskType, startDay) {
      const arms = fresh(taskType, startDay)
      if (taskType !== null) return arms.get(taskType)?.values() ?? []
      return [...arms.values()].flatMap(byArm => [...byArm.values()])
    },
    addCommitted (changes, startDay) {
      // Inside an enclosing transaction the changes may still roll back: reload later instead.
      if (loaded === null || loaded.startDay !== startDay || db.inTransaction) {
        loaded = null
        return
      }
      for (const c of changes) {
        if (c.day < startDay) continue
        // a task type not loaded yet is read from the database, this commit included, when first asked
        const byArm = loaded.arms.get(c.taskType)
        if (byArm === undefined && !loaded.complete) continue
        const hist = c.hist.size === 0 ? null : encodeHist(c.hist)
        const arm = byArm?.get(armKey(c.tool, c.model))
        if (arm === undefined) {
          put(loaded.arms, { taskType: c.taskType, tool: c.tool, model: c.model, totals: addScalars(emptyScalars(), c), hist })
        } else {
          addScalars(arm.totals, c)
          arm.hist = addHistBlobs(arm.hist, hist)
        }
      }
    }
  }
}

function put (arms: Arms, arm: MutableArm): void {
  let byArm = arms.get(arm.taskType)
  if (byArm === undefined) {
    byArm = new Map()
    arms.set(arm.taskType, byArm)
  }
  byArm.set(armKey(arm.tool, arm.model), arm)
}
