import type { Scope } from '../store/index.js'
import { ApiError } from './errors.js'
import {
  baselineNameParams, baselineResponse, baselinesResponse, baselineSummary, captureBody, gateBody, gateResponse, trendQuery, trendResponse
} from './gate-schemas.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Tracker } from '../tracker.js'
import type { RouteSpec } from './openapi.js'

interface CaptureBody { name: string, scope?: Scope, task_types?: string[], window_days?: number, note?: string, git_sha?: string }
interface GateBody {
  baseline?: string, candidate?: 'current', candidate_baseline?: string, old?: string, new?: string, arms?: string[], task_types?: string[],
  max_drop?: number, max_slowdown?: number, confidence?: number, allow_insufficient?: boolean, scope?: Scope, window_days?: number
}
interface TrendQuery { task_type: string, arm?: string[], days?: number, scope?: Scope, confidence?: number }

/** routes.ts's RouteDef, restated here so that this module does not import the one that imports it */
type GateRouteDef = RouteSpec & { handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> }

const notFound = (name: string): ApiError => new ApiError(404, 'NOT_FOUND', `no baseline named ${name}`)

/** Baselines, the upgrade gate and trends over HTTP: the tracker's gate operations, one route each. */
export function buildGateRoutes ({ tracker }: { tracker: Tracker }): GateRouteDef[] {
  return [
    {
      id: 'listBaselines',
      method: 'GET',
      url: '/v1/baselines',
      summary: 'Baselines, each with the last gate result judged against it',
      responses: { 200: { description: 'baselines, oldest first', schema: baselinesResponse } },
      handler: async () => ({ baselines: tracker.listBaselines() })
    },
    {
      id: 'captureBaseline',
      method: 'POST',
      url: '/v1/baselines',
      summary: 'Freeze the per-arm counters and latency histograms of a scope and window under a name (local only)',
      body: captureBody,
      responses: { 201: { description: 'the baseline captured', schema: baselineSummary } },
      async handler (request, reply) {
        const b = request.body as CaptureBody
        const captured = tracker.captureBaseline({ name: b.name, scope: b.scope, taskTypes: b.task_types, windowDays: b.window_days, note: b.note, gitSha: b.git_sha })
        return await reply.code(201).send(captured)
      }
    },
    {
      id: 'showBaseline',
      method: 'GET',
      url: '/v1/baselines/:name',
      summary: 'One baseline with its frozen arms',
      params: baselineNameParams,
      responses: { 200: { description: 'the baseline', schema: baselineResponse } },
      errors: { 404: 'no such baseline' },
      async handler (request) {
        const { name } = request.params as { name: string }
        return tracker.showBaseline(name) ?? (() => { throw notFound(name) })()
      }
    },
    {
      id: 'deleteBaseline',
      method: 'DELETE',
      url: '/v1/baselines/:name',
      summary: 'Delete a baseline',
      params: baselineNameParams,
      responses: { 200: { description: 'deleted', schema: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'string' } } } } },
      errors: { 404: 'no such baseline' },
      async handler (request) {
        const { name } = request.params as { name: string }
        if (!tracker.deleteBaseline(name)) throw notFound(name)
        return { deleted: name }
      }
    },
    {
      id: 'gate',
      method: 'POST',
      url: '/v1/gate',
      summary: 'The upgrade gate: regression, improvement, no_change or insufficient_evidence per task type and arm (200 whatever the verdict)',
      body: gateBody,
      responses: { 200: { description: 'the verdict, its exit code and one row per task type and arm', schema: gateResponse } },
      async handler (request) {
        const b = request.body as GateBody
        return tracker.gate({
          baseline: b.baseline,
          candidate: b.candidate,
          candidateBaseline: b.candidate_baseline,
          old: b.old,
          new: b.new,
          arms: b.arms,
          taskTypes: b.task_types,
          maxDrop: b.max_drop,
          maxSlowdown: b.max_slowdown,
          confidence: b.confidence,
          allowInsufficient: b.allow_insufficient,
          scope: b.scope,
          windowDays: b.window_days
        })
      }
    },
    {
      id: 'trend',
      method: 'GET',
      url: '/v1/trend',
      summary: 'Per arm of a task type: daily pass rate (Wilson interval) and p50, and a trend classification with its p-value',
      querystring: trendQuery,
      responses: { 200: { description: 'one series per arm', schema: trendResponse } },
      async handler (request) {
        const q = request.query as TrendQuery
        return tracker.trend({ taskType: q.task_type, arms: q.arm, days: q.days, scope: q.scope, confidence: q.confidence })
      }
    }
  ]
}
