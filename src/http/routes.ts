import type { FastifyReply, FastifyRequest } from 'fastify'
import { ValidationError } from '../errors.js'
import type { Metrics } from '../hive/metrics.js'
import type { QueryOptions, StoreTracker } from '../tracker.js'
import { ApiError } from './errors.js'
import { buildGateRoutes } from './gate-routes.js'
import type { RouteSpec } from './openapi.js'
import {
  bestQuery, bestResponse, freeObject, healthResponse, outcomesBodyDoc, peersResponse, recordResponse,
  routeQuery, routeResponse, statsQuery, statsResponse
} from './schemas.js'

/**
 * What the HTTP API needs from a running daemon (implemented by the node; absent when the API
 * serves a bare tracker, e.g. in tests and benchmarks).
 */
export interface NodeFacade {
  /** identity, hive, listen addresses, export state: whatever helps an operator */
  status: () => Record<string, unknown>
  /** `peers`: one object per connected peer */
  peers: () => { peers: Array<Record<string, unknown>> } & Record<string, unknown>
  /** builds, signs and publishes a delta now; resolves to a report of what was sent */
  exportNow: () => Promise<Record<string, unknown>>
}

export interface RouteDef extends RouteSpec {
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
}

export interface RouteContext {
  tracker: StoreTracker
  node?: NodeFacade
  metrics: Metrics
  maxBatch: number
  /** the server's own facts for /v1/status */
  serverStatus: () => Record<string, unknown>
  openApi: () => Record<string, unknown>
}

interface Query {
  task_type?: string
  scope?: 'local' | 'hive'
  model?: string
  window_days?: number
  min_samples?: number
  limit?: number
  explore_share?: number
  seed?: string
}

const queryOptions = (q: Query): QueryOptions => ({ scope: q.scope, model: q.model, windowDays: q.window_days, minSamples: q.min_samples, limit: q.limit })

/** `{"outcomes": [...]}` is a batch; any other object is one outcome. */
function batchOf (body: Record<string, unknown>, maxBatch: number): unknown[] | null {
  if (!Object.hasOwn(body, 'outcomes')) return null
  const extra = Object.keys(body).find(k => k !== 'outcomes')
  if (extra !== undefined) throw new ValidationError(extra, 'unknown_field', 'unknown field (a batch is {"outcomes": [...]} and nothing else)')
  const rows = body.outcomes
  if (!Array.isArray(rows)) throw new ValidationError('outcomes', 'type', 'must be an array of outcome objects')
  if (rows.length > maxBatch) throw new ValidationError('outcomes', 'range', `at most ${maxBatch} outcomes per request (send more as several batches)`)
  return rows
}

export function buildRoutes (ctx: RouteContext): RouteDef[] {
  const { tracker, node, metrics } = ctx
  return [
    {
      id: 'recordOutcomes',
      method: 'POST',
      url: '/v1/outcomes',
      summary: `Record one outcome, or a batch {"outcomes": [...]} of up to ${ctx.maxBatch} (all or nothing)`,
      body: { type: 'object' },
      bodyDoc: outcomesBodyDoc(ctx.maxBatch),
      responses: { 201: { description: 'recorded', schema: recordResponse } },
      async handler (request, reply) {
        const body = request.body as Record<string, unknown>
        const rows = batchOf(body, ctx.maxBatch)
        // single outcomes from concurrent requests share one transaction (group commit)
        const result = rows === null ? await tracker.recordSoon(body) : tracker.recordBatch(rows)
        metrics.outcomesRecorded.inc(result.recorded)
        metrics.duplicates.inc(result.duplicates)
        return reply.code(201).send(result)
      }
    },
    {
      id: 'best',
      method: 'GET',
      url: '/v1/best',
      summary: 'The best tool (and model) for a task type, with the ranking behind it',
      querystring: bestQuery,
      responses: { 200: { description: 'best arm (null when none is benchmarked) and ranking', schema: bestResponse } },
      async handler (request) {
        const q = request.query as Query
        return tracker.best(q.task_type ?? '', queryOptions(q))
      }
    },
    {
      id: 'route',
      method: 'GET',
      url: '/v1/route',
      summary: 'Which arm to use now: exploit the best estimate, or explore (a posterior draw won), and why',
      querystring: routeQuery,
      responses: { 200: { description: 'the decision, its reason and the ranking summary', schema: routeResponse } },
      async handler (request) {
        const q = request.query as Query
        return tracker.route(q.task_type ?? '', { ...queryOptions(q), exploreShare: q.explore_share, seed: q.seed })
      }
    },
    {
      id: 'stats',
      method: 'GET',
      url: '/v1/stats',
      summary: 'Every arm of every task type (or of one)',
      querystring: statsQuery,
      responses: { 200: { description: 'rankings per task type', schema: statsResponse } },
      async handler (request) {
        const q = request.query as Query
        return tracker.stats({ ...queryOptions(q), taskType: q.task_type })
      }
    },
    {
      id: 'peers',
      method: 'GET',
      url: '/v1/peers',
      summary: 'Connected peers (an empty list when the API runs without a node)',
      responses: { 200: { description: 'peers', schema: peersResponse } },
      handler: async () => node?.peers() ?? { peers: [] }
    },
    {
      id: 'status',
      method: 'GET',
      url: '/v1/status',
      summary: 'Node and API status',
      responses: { 200: { description: 'status', schema: freeObject } },
      handler: async () => ({ ...ctx.serverStatus(), node: node?.status() ?? null })
    },
    {
      id: 'exportNow',
      method: 'POST',
      url: '/v1/export',
      summary: 'Publish a delta of this node\'s changed counters now',
      responses: { 200: { description: 'what was exported', schema: freeObject } },
      errors: { 503: 'no node is running behind this API' },
      async handler () {
        if (node === undefined) throw new ApiError(503, 'NO_NODE', 'export needs a running node (hivebench start); this API serves a tracker only')
        return await node.exportNow()
      }
    },
    ...buildGateRoutes(ctx),
    {
      id: 'health',
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness (never needs the token)',
      public: true,
      responses: { 200: { description: 'alive', schema: healthResponse } },
      handler: async () => ({ status: 'ok' })
    },
    {
      id: 'metrics',
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics (text exposition format)',
      responses: { 200: { description: 'metrics', contentType: metrics.registry.contentType } },
      async handler (_request, reply) {
        return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
      }
    },
    {
      id: 'openapi',
      method: 'GET',
      url: '/openapi.json',
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1 document', schema: freeObject } },
      handler: async () => ctx.openApi()
    }
  ]
}
