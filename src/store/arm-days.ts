import type { ScalarCounters } from '../core/types.js'
import { histFromHex, scalarCountersFromValues, SUM_SCALARS_SQL } from './counter-columns.js'
import type { Db } from './db.js'
import type { Scope } from './arm-queries.js'
import { LOCAL_ORIGIN } from './schema.js'

/** One arm's counters on one UTC day, summed over the origins of the scope. */
export interface ArmDay {
  taskType: string
  tool: string
  model: string
  day: number
  totals: ScalarCounters
  hist: Buffer | null
}

export interface ArmDaysQuery {
  scope: Scope
  /** null: every task type */
  taskType: string | null
  /** inclusive UTC day range */
  fromDay: number
  toDay: number
}

/**
 * Per-day arm counters from the day counters table, for the daily series of trends and for
 * comparing two windows (drift). Ordered by task type, tool, model, day. Counts are the true
 * totals: the per-origin weight cap of the ranking is not applied.
 */
export function createArmDays (db: Db): (q: ArmDaysQuery) => ArmDay[] {
  const sql = (scope: Scope, oneTaskType: boolean): string => `SELECT task_type, tool, model, day, ${SUM_SCALARS_SQL}, hex(hist_sum(hist))
    FROM counters WHERE ${oneTaskType ? 'task_type = @task_type AND ' : ''}${scope === 'local' ? `origin = ${LOCAL_ORIGIN}` : 'origin >= 0'}
    AND day BETWEEN @from AND @to GROUP BY task_type, tool, model, day ORDER BY task_type, tool, model, day`
  const statements = new Map<string, ReturnType<Db['prepare']>>()
  return (q) => {
    const id = `${q.scope}|${q.taskType !== null}`
    let stmt = statements.get(id)
    if (stmt === undefined) {
      stmt = db.prepare(sql(q.scope, q.taskType !== null)).raw(true)
      statements.set(id, stmt)
    }
    const params = q.taskType === null ? { from: q.fromDay, to: q.toDay } : { task_type: q.taskType, from: q.fromDay, to: q.toDay }
    const rows = stmt.all(params) as unknown[][]
    return rows.filter(r => Number(r[4]) > 0).map(r => ({
      taskType: r[0] as string,
      tool: r[1] as string,
      model: r[2] as string,
      day: Number(r[3]),
      totals: scalarCountersFromValues(r, 4),
      hist: histFromHex(r[r.length - 1] as string | null)
    }))
  }
}
