import { addScalars, armKeyString } from '../core/counters.js'
import { addHistBlobs } from '../core/histogram.js'
import { emptyScalars, type ScalarCounters } from '../core/types.js'
import { scalarCountersFromValues, SCALAR_COLUMN_LIST, SUM_COUNTERS_SQL } from './counter-columns.js'
import type { Statement } from 'better-sqlite3'
import type { Db } from './db.js'
import { PEERS_ORIGIN } from './rollup.js'

export type Scope = 'local' | 'hive'

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
  /** per-origin (n, pass) of origins above the weight cap, for the ranking weights */
  heavyOrigins: Array<{ n: number, pass: number }>
}

export interface ArmQuery {
  scope: Scope
  /** null = every task type */
  taskType: string | null
  /** first UTC day inside the window */
  startDay: number
  /** true when startDay is the rollup's current window start, so the rollup can answer */
  rollupCurrent: boolean
  model?: string
  /** per-origin sample cap (hive scope) */
  originCap: number
}

const LOCAL_ORIGIN = 0

// Raw (array) rows, read by position: better-sqlite3 builds no object per row, which halves the
// cost of a best() call. Every statement returns [task_type, tool, model, origin, origins,
// ...the scalar counters, hist]; the heavy-origin query returns [task_type, tool, model, n, pass].
const ARM_COLUMNS = `task_type, tool, model, origin, origins, ${SCALAR_COLUMN_LIST.join(', ')}, hist`
const COUNTERS_AT = 5

/**
 * Arm aggregates for ranking. The default window reads the rollup (one row per arm, plus the
 * few origins above the cap); any other window sums the day counters.
 */
export function createArmQueries (db: Db): (q: ArmQuery) => ArmAggregate[] {
  // One statement per filter combination: `(@x IS NULL OR col = @x)` would stop SQLite from
  // using the primary key, and these run on every best() call.
  const cache = new Map<string, Statement<object, unknown[]>>()
  const statement = (kind: 'rollup' | 'heavy' | 'days', q: ArmQuery): Statement<object, unknown[]> => {
    const id = `${kind}|${q.scope}|${q.taskType === null}|${q.model === undefined}`
    let stmt = cache.get(id)
    if (stmt === undefined) {
      const where = [
        q.taskType === null ? '1' : 'task_type = @task_type',
        {
          rollup: q.scope === 'local' ? `origin = ${LOCAL_ORIGIN}` : `origin IN (${LOCAL_ORIGIN}, ${PEERS_ORIGIN})`,
          heavy: 'origin >= 0 AND n > @cap',
          days: (q.scope === 'local' ? `origin = ${LOCAL_ORIGIN}` : 'origin >= 0') + ' AND day >= @start_day'
        }[kind],
        q.model === undefined ? '1' : 'model = @model'
      ].join(' AND ')
      stmt = db.prepare<object, unknown[]>({
        rollup: `SELECT ${ARM_COLUMNS} FROM arm_window WHERE ${where}`,
        heavy: `SELECT task_type, tool, model, n, c_pass FROM arm_window WHERE ${where}`,
        days: `SELECT task_type, tool, model, origin, 1, ${SUM_COUNTERS_SQL} FROM counters WHERE ${where} GROUP BY task_type, origin, tool, model`
      }[kind]).raw(true)
      cache.set(id, stmt)
    }
    return stmt
  }

  return (q) => {
    const params: Record<string, unknown> = { task_type: q.taskType, model: q.model ?? null, cap: q.originCap, start_day: q.startDay }
    const arms = new Map<string, ArmAggregate>()
    const armOf = (row: unknown[]): ArmAggregate => {
      const taskType = row[0] as string
      const tool = row[1] as string
      const model = row[2] as string
      const k = armKeyString({ taskType, tool, model })
      let arm = arms.get(k)
      if (arm === undefined) {
        // built field by field: an object spread takes V8's slow clone path (microseconds per arm)
        arm = { taskType, tool, model, totals: emptyScalars(), hist: null, origins: 0, heavyOrigins: [] }
        arms.set(k, arm)
      }
      return arm
    }
    // Rollup: this node's row, and in hive scope the row summing the peers (its 'origins'
    // counts them). Day sums: one row per origin.
    // Histograms stay encoded: rows merge bytewise, and the ranking reads quantiles from the bytes.
    for (const row of statement(q.rollupCurrent ? 'rollup' : 'days', q).iterate(params)) {
      const counters = scalarCountersFromValues(row, COUNTERS_AT)
      if (counters.n === 0) continue
      const arm = armOf(row)
      addScalars(arm.totals, counters)
      arm.hist = addHistBlobs(arm.hist, row[COUNTERS_AT + SCALAR_COLUMN_LIST.length] as Buffer | null)
      arm.origins += row[3] === PEERS_ORIGIN ? Number(row[4]) : 1
      if (!q.rollupCurrent && q.scope === 'hive' && counters.n > q.originCap) arm.heavyOrigins.push({ n: counters.n, pass: counters.pass })
    }
    if (q.rollupCurrent && q.scope === 'hive') {
      for (const row of statement('heavy', q).iterate(params)) armOf(row).heavyOrigins.push({ n: Number(row[3]), pass: Number(row[4]) })
    }
    return [...arms.values()]
  }
}
