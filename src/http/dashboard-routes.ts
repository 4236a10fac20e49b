import type { QueryOptions } from '../tracker.js'
import { dayOf } from '../core/time.js'
import type { RouteContext, RouteDef } from './routes.js'
import { minSamples, model, nullableArm, object, query, scope, taskType, windowDays, type JsonSchema } from './schemas.js'

/**
 * The API the dashboard reads beyond /v1/stats: a compact overview, one task type's arms by
 * origin or by day, and a change stamp to poll. Plain API routes: curl and agents may use them too.
 */

const str = { type: 'string' }
const int = { type: 'integer', minimum: 0 }
const num = { type: 'number' }
const nullableNum = { type: ['number', 'null'] }
const arms = (item: Record<string, JsonSchema>): JsonSchema => ({ type: 'array', items: object(item) })

const armsQuery = query({
  task_type: taskType,
  by: { type: 'string', enum: ['origin', 'day'], description: 'origin: samples per origin and the capped weight the ranking gave each; day: pass rate and latency per UTC day' },
  scope,
  model,
  window_days: windowDays
}, ['task_type', 'by'])

const byOriginResponse = object({
  task_type: str,
  scope: str,
  window_days: int,
  origin_cap: { ...int, description: 'samples one origin counts for at most on an arm several origins report' },
  arms: arms({
    tool: str,
    model: str,
    n: int,
    pass: int,
    weighted_n: num,
    origins: arms({
      origin: { type: ['string', 'null'], description: "the origin's peer id (null: this node, before it has an identity)" },
      self: { type: 'boolean' },
      n: int,
      pass: int,
      pass_rate: num,
      weighted_n: { ...num, description: 'samples the ranking counted after the cap' },
      weighted_pass: num,
      capped: { type: 'boolean' }
    })
  })
})

const byDayResponse = object({
  task_type: str,
  scope: str,
  window_days: int,
  arms: arms({
    tool: str,
    model: str,
    days: arms({ day: { ...str, description: 'YYYY-MM-DD (UTC)' }, n: int, pass: int, pass_rate: num, p50_s: nullableNum, p90_s: nullableNum })
  })
})

const summaryQuery = query({ window_days: windowDays, min_samples: minSamples })
const summaryResponse = object({
  window_days: int,
  task_types: arms({
    task_type: str,
    arms: { ...int, description: 'arms with samples in hive scope' },
    n: { ...int, description: 'samples in hive scope' },
    hive: nullableArm,
    local: nullableArm,
    differ: { type: 'boolean', description: 'the best arms of the two scopes differ' }
  })
})

interface Query { task_type?: string, by?: 'origin' | 'day', scope?: 'local' | 'hive', model?: string, window_days?: number, min_samples?: number }

const options = (q: Query): QueryOptions => ({ scope: q.scope, model: q.model, windowDays: q.window_days, minSamples: q.min_samples })

export function dashboardRoutes (ctx: RouteContext): RouteDef[] {
  const { tracker } = ctx
  return [
    {
      id: 'arms',
      method: 'GET',
      url: '/v1/arms',
      summary: "One task type's arms in ranking order, broken down by origin or by day",
      querystring: armsQuery,
      responses: { 200: { description: 'the breakdown', schema: { anyOf: [byOriginResponse, byDayResponse] } } },
      async handler (request) {
        const q = request.query as Query
        return q.by === 'origin' ? tracker.armsByOrigin(q.task_type ?? '', options(q)) : tracker.armsByDay(q.task_type ?? '', options(q))
      }
    },
    {
      id: 'summary',
      method: 'GET',
      url: '/v1/summary',
      summary: 'Per task type: the best arm in hive and in local scope, and whether they differ',
      querystring: summaryQuery,
      responses: { 200: { description: 'one row per task type', schema: summaryResponse } },
      async handler (request) {
        const q = request.query as Query
        const hive = tracker.stats({ ...options(q), scope: 'hive' })
        const local = new Map(tracker.stats({ ...options(q), scope: 'local' }).task_types.map(t => [t.task_type, t.ranking]))
        return {
          window_days: hive.window_days,
          task_types: hive.task_types.map(({ task_type: t, ranking }) => {
            const bestOf = (r: typeof ranking | undefined): (typeof ranking)[number] | null => r?.[0]?.benchmarked === true ? r[0] : null
            const [h, l] = [bestOf(ranking), bestOf(local.get(t))]
            return { task_type: t, arms: ranking.length, n: ranking.reduce((sum, a) => sum + a.n, 0), hive: h, local: l, differ: h?.tool !== l?.tool || h?.model !== l?.model }
          })
        }
      }
    },
    {
      id: 'changes',
      method: 'GET',
      url: '/v1/changes',
      summary: 'A stamp that moves when counters or baselines change (a record, a merge that grew a key, a forgotten origin, a baseline or gate) or the UTC day turns, not on an export or a sync round: poll it, and refetch only when it moved',
      responses: { 200: { description: 'the stamp (opaque)', schema: object({ stamp: str }) } },
      // The window moves at UTC midnight without a write: the day is part of the stamp.
      handler: async () => ({ stamp: `${tracker.store.countersStamp()}:${dayOf(Date.now())}` })
    }
  ]
}

