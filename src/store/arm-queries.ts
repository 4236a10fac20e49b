import { addCounters, armKeyString } from '../core/counters.js'
import type { Counters } from '../core/types.js'
import { countersFromRow, SUM_COUNTERS_SQL, type CounterRow } from './counter-columns.js'
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
  totals: Counters
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

type Row = CounterRow & { task_type: string, origin: number, tool: string, model: string, origins?: number }

const LOCAL_ORIGIN = 0

/**
 * Arm aggregates for ranking. The default window reads the rollup (one row per arm, plus the
 * few origins above the cap); any other window sums the day counters.
 */
export function createArmQueries (db: Db): (q: ArmQuery) => ArmAggregate[] {
  // One statement per filter combination: `(@x IS NULL OR col = @x)` would stop SQLite from
  // using the primary key, and these run on every best() call.
  const cache = new Map<string, Statement<object, Row>>()
  const statement = (kind: 'rollup' | 'heavy' | 'days', q: ArmQuery): Statement<object, Row> => {
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
      stmt = db.prepare<object, Row>({
        rollup: `SELECT * FROM arm_window WHERE ${where}`,
        heavy: `SELECT task_type, tool, model, n, c_pass FROM arm_window WHERE ${where}`,
        days: `SELECT task_type, origin, tool, model, ${SUM_COUNTERS_SQL} FROM counters WHERE ${where} GROUP BY task_type, origin, tool, model`
      }[kind])
      cache.set(id, stmt)
    }
    return stmt
  }

  return (q) => {
    const params = { task_type: q.taskType, model: q.model ?? null, cap: q.originCap, start_day: q.startDay }
    const arms = new Map<string, ArmAggregate>()
    const armOf = (row: Row): ArmAggregate => {
      const k = armKeyString({ taskType: row.task_type, tool: row.tool, model: row.model })
      let arm = arms.get(k)
      if (arm === undefined) {
        arm = { taskType: row.task_type, tool: row.tool, model: row.model, totals: countersFromRow({}), origins: 0, heavyOrigins: [] }
        arms.set(k, arm)
      }
      return arm
    }
    const noteHeavy = (arm: ArmAggregate, n: number, pass: number): void => {
      if (q.scope === 'hive' && n > q.originCap) arm.heavyOrigins.push({ n, pass })
    }

    if (q.rollupCurrent) {
      // This node's row, and in hive scope the row summing the peers.
      for (const row of statement('rollup', q).iterate(params)) {
        if (Number(row.n) === 0) continue
        const arm = armOf(row)
        addCounters(arm.totals, countersFromRow(row))
        arm.origins += row.origin === PEERS_ORIGIN ? Number(row.origins) : 1
      }
      if (q.scope === 'hive') {
        for (const row of statement('heavy', q).iterate(params)) noteHeavy(armOf(row), Number(row.n), Number(row.c_pass))
      }
    } else {
      for (const row of statement('days', q).iterate(params)) {
        if (Number(row.n) === 0) continue
        const arm = armOf(row)
        const c = countersFromRow(row)
        addCounters(arm.totals, c)
        arm.origins++
        noteHeavy(arm, c.n, c.pass)
      }
    }
    return [...arms.values()]
  }
}
