import { addScalars, armKeyString } from '../core/counters.js'
import { addHistBlobs } from '../core/histogram.js'
import { emptyScalars, type ScalarCounters, type Scope } from '../core/types.js'
import { histFromHex, scalarCountersFromValues, SCALAR_COLUMN_LIST, SUM_SCALARS_SQL } from './counter-columns.js'
import type { OriginCounts } from '../core/ranking.js'
import type { Statement } from 'better-sqlite3'
import type { Db } from './db.js'
import type { LocalWindow } from './local-window.js'
import { LOCAL_ORIGIN } from './local-writer.js'
import { PEERS_ORIGIN } from './rollup.js'

export type { Scope }

/** One (task type, tool, model) arm summed over origins and window days. */
export interface ArmAggregate {
  taskType: string
  tool: string
  model: string
  /** true totals: the cap never changes reported counts */
  totals: ScalarCounters
  /** the summed latency histogram, encoded */
  hist: Buffer | null
  /** origins with n > 0 behind the totals */
  origins: number
  /** hive scope: each origin's (n, pass), for the ranking's weights (core/ranking.ts); empty in local scope */
  perOrigin: OriginCounts[]
}

export interface ArmQuery {
  scope: Scope
  /** null = every task type */
  taskType: string | null
  /** first UTC day inside the window */
  startDay: number
  /** true when startDay is the rollup's current window start, so the rollup (and the local window) can answer */
  rollupCurrent: boolean
  model?: string
  /** hive scope: origins (store numbers) the ranking leaves out (origin-policy.ts); forces the day sums */
  exclude?: ReadonlySet<number>
}

// Raw (array) rows, read by position: better-sqlite3 builds no object per row, which halves the
// cost of a best() call. Every statement returns [task_type, tool, model, origin, origins,
// ...the scalar counters, hex(hist)]; the per-origin query returns [task_type, tool, model, origin, n, pass].
// When one task type is asked for, task_type is read as NULL: it is known, and a string per row
// is allocation that young-generation GCs (the slow 1% of calls) pay for.
// Histograms are read as hex text (histFromHex).
const armColumns = (taskTypeColumn: string): string => `${taskTypeColumn}, tool, model, origin, origins, ${SCALAR_COLUMN_LIST.join(', ')}, hex(hist)`
const COUNTERS_AT = 5
const HIST_AT = COUNTERS_AT + SCALAR_COLUMN_LIST.length

/**
 * Arm aggregates for ranking. The default window reads this node's arms from memory and, in
 * hive scope, the rollup row summing the peers (plus each peer's own row, for the weights); any other
 * window sums the day counters.
 */
export function createArmQueries (db: Db, localWindow: LocalWindow): (q: ArmQuery) => ArmAggregate[] {
  // One statement per filter combination: `(@x IS NULL OR col = @x)` would stop SQLite from
  // using the primary key, and these run on every best() call.
  const cache = new Map<string, Statement<object, unknown[]>>()
  const statement = (kind: 'rollup' | 'perOrigin' | 'days', q: ArmQuery): Statement<object, unknown[]> => {
    const excluding = (q.exclude?.size ?? 0) > 0
    const id = `${kind}|${q.scope}|${q.taskType === null}|${q.model === undefined}|${excluding}`
    let stmt = cache.get(id)
    if (stmt === undefined) {
      const where = [
        q.taskType === null ? '1' : 'task_type = @task_type',
        {
          rollup: `origin = ${PEERS_ORIGIN}`,
          perOrigin: 'origin > 0 AND n > 0',
          days: (q.scope === 'local' ? `origin = ${LOCAL_ORIGIN}` : 'origin >= 0') + ' AND day >= @start_day'
        }[kind],
        q.model === undefined ? '1' : 'model = @model',
        excluding ? 'origin NOT IN (SELECT value FROM json_each(@exclude))' : '1'
      ].join(' AND ')
      const taskTypeColumn = q.taskType === null ? 'task_type' : 'NULL'
      stmt = db.prepare<object, unknown[]>({
        rollup: `SELECT ${armColumns(taskTypeColumn)} FROM arm_window WHERE ${where}`,
        perOrigin: `SELECT ${taskTypeColumn}, tool, model, origin, n, c_pass FROM arm_window WHERE ${where}`,
        days: `SELECT ${taskTypeColumn}, tool, model, origin, 1, ${SUM_SCALARS_SQL}, hex(hist_sum(hist)) FROM counters WHERE ${where} GROUP BY task_type, origin, tool, model`
      }[kind]).raw(true)
      cache.set(id, stmt)
    }
    return stmt
  }

  return (q) => {
    const params: Record<string, unknown> = { task_type: q.taskType, model: q.model ?? null, start_day: q.startDay, exclude: (q.exclude?.size ?? 0) > 0 ? JSON.stringify([...q.exclude ?? []]) : null }
    const arms = new Map<string, ArmAggregate>()
    // Arms of one task type are told apart by tool and model alone: a shorter key string.
    const keyOf = (taskType: string, tool: string, model: string): string =>
      q.taskType === null ? armKeyString({ taskType, tool, model }) : `${tool}\0${model}`
    // Adds counters into their arm; an arm's first counters are taken as they are (no zero object added to).
    const add = (taskType: string, tool: string, model: string, counters: ScalarCounters, hist: Buffer | null, origins: number): ArmAggregate => {
      const k = keyOf(taskType, tool, model)
      let arm = arms.get(k)
      if (arm === undefined) {
        // built field by field: an object spread takes V8's slow clone path (microseconds per arm)
        arm = { taskType, tool, model, totals: counters, hist, origins, perOrigin: [] }
        arms.set(k, arm)
      } else {
        addScalars(arm.totals, counters)
        arm.hist = addHistBlobs(arm.hist, hist)
        arm.origins += origins
      }
      return arm
    }
    const hive = q.scope === 'hive'
    const rowTaskType = (row: unknown[]): string => q.taskType ?? row[0] as string

    if (q.rollupCurrent && (q.exclude?.size ?? 0) === 0) {
      // This node's arms (copied: the window's totals change with each commit), then in hive
      // scope the rollup row summing the peers, whose 'origins' column counts them.
      for (const local of localWindow.arms(q.taskType, q.startDay)) {
        if (local.totals.n === 0 || (q.model !== undefined && local.model !== q.model)) continue
        const arm = add(local.taskType, local.tool, local.model, addScalars(emptyScalars(), local.totals), local.hist, 1)
        if (hive) arm.perOrigin.push({ origin: LOCAL_ORIGIN, n: local.totals.n, pass: local.totals.pass })
      }
      if (hive) {
        for (const row of statement('rollup', q).all(params)) {
          if (row[COUNTERS_AT] === 0) continue
          add(rowTaskType(row), row[1] as string, row[2] as string, scalarCountersFromValues(row, COUNTERS_AT), histFromHex(row[HIST_AT] as string | null), Number(row[4]))
        }
        for (const row of statement('perOrigin', q).all(params)) {
          arms.get(keyOf(rowTaskType(row), row[1] as string, row[2] as string))?.perOrigin.push({ origin: Number(row[3]), n: Number(row[4]), pass: Number(row[5]) })
        }
      }
    } else {
      // Day sums: one row per origin.
      for (const row of statement('days', q).all(params)) {
        if (row[COUNTERS_AT] === 0) continue
        const counters = scalarCountersFromValues(row, COUNTERS_AT)
        const arm = add(rowTaskType(row), row[1] as string, row[2] as string, counters, histFromHex(row[HIST_AT] as string | null), 1)
        if (hive) arm.perOrigin.push({ origin: Number(row[3]), n: counters.n, pass: counters.pass })
      }
    }
    return [...arms.values()]
  }
}
