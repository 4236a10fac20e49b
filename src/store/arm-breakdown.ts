import type { Db } from './db.js'
import { histFromHex } from './counter-columns.js'
import { LOCAL_ORIGIN } from './schema.js'
import type { Scope } from './arm-queries.js'

/** One task type's day counters, split by origin or by day: what the ranking's totals are made of. */
export interface BreakdownQuery {
  scope: Scope
  taskType: string
  /** first UTC day inside the window */
  startDay: number
  model?: string
}

/** One origin's share of one arm over the window. */
export interface OriginShare {
  tool: string
  model: string
  /** the origins table's id: 0 is this node */
  originId: number
  /** the origin's peer id; null for this node before it has an identity (a bare tracker) */
  peerId: string | null
  n: number
  pass: number
}

/** One arm's counters on one UTC day, summed over the scope's origins. */
export interface DayPoint {
  tool: string
  model: string
  day: number
  n: number
  pass: number
  /** the day's summed latency histogram, encoded; null when no duration is known */
  hist: Buffer | null
}

export interface ArmBreakdown {
  byOrigin: (q: BreakdownQuery) => OriginShare[]
  byDay: (q: BreakdownQuery) => DayPoint[]
}

/**
 * Reads the day counters (not the rollup): these answers are for people looking at one task
 * type, not for the hot best() path, and the counters hold both the origin and the day.
 */
export function createArmBreakdown (db: Db): ArmBreakdown {
  const where = (q: BreakdownQuery): string => [
    'c.task_type = @task_type AND c.day >= @start_day',
    q.scope === 'local' ? `c.origin = ${LOCAL_ORIGIN}` : 'c.origin >= 0',
    q.model === undefined ? '1' : 'c.model = @model'
  ].join(' AND ')
  const params = (q: BreakdownQuery): Record<string, unknown> => ({ task_type: q.taskType, start_day: q.startDay, model: q.model ?? null })
  // Four statements at most (scope x model filter), prepared on first use.
  const prepared = new Map<string, ReturnType<Db['prepare']>>()
  const statement = (kind: 'origin' | 'day', q: BreakdownQuery): ReturnType<Db['prepare']> => {
    const id = `${kind}|${q.scope}|${q.model === undefined}`
    let stmt = prepared.get(id)
    if (stmt === undefined) {
      stmt = db.prepare(kind === 'origin'
        ? `SELECT c.tool, c.model, c.origin, o.peer_id, CAST(TOTAL(c.n) AS INTEGER), CAST(TOTAL(c.c_pass) AS INTEGER)
           FROM counters c LEFT JOIN origins o ON o.id = c.origin WHERE ${where(q)}
           GROUP BY c.tool, c.model, c.origin HAVING TOTAL(c.n) > 0 ORDER BY c.tool, c.model, c.origin`
        : `SELECT c.tool, c.model, c.day, CAST(TOTAL(c.n) AS INTEGER), CAST(TOTAL(c.c_pass) AS INTEGER), hex(hist_sum(c.hist))
           FROM counters c WHERE ${where(q)}
           GROUP BY c.tool, c.model, c.day HAVING TOTAL(c.n) > 0 ORDER BY c.tool, c.model, c.day`).raw(true)
      prepared.set(id, stmt)
    }
    return stmt
  }
  return {
    byOrigin: (q) => (statement('origin', q).all(params(q)) as unknown[][]).map(r => ({
      tool: r[0] as string, model: r[1] as string, originId: Number(r[2]), peerId: r[3] as string | null, n: Number(r[4]), pass: Number(r[5])
    })),
    byDay: (q) => (statement('day', q).all(params(q)) as unknown[][]).map(r => ({
      tool: r[0] as string, model: r[1] as string, day: Number(r[2]), n: Number(r[3]), pass: Number(r[4]), hist: histFromHex(r[5] as string | null)
    }))
  }
}
