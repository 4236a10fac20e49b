import { StateError, ValidationError } from '../errors.js'
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { Metrics } from '../hive/metrics.js'
import type { Startable } from '../hive/lifecycle.js'
import type { StoreTracker } from '../tracker.js'
import { bearerChecker, loopbackRequestAllowed, resolveToken } from './auth.js'
import { createThrottledLog, toErrorReply } from './errors.js'
import { openApiDocument } from './openapi.js'
import { dashboardRoutes } from './dashboard-routes.js'
import { registerDashboard } from './dashboard.js'
import { buildRoutes, type NodeFacade, type RouteContext } from './routes.js'

export type { NodeFacade } from './routes.js'

export const DEFAULT_HTTP_HOST = '127.0.0.1'
export const DEFAULT_HTTP_PORT = 7878
/** Outcomes per POST: a 10,000-row batch is ~2.5 MB of JSON and records in a few tens of ms. */
export const DEFAULT_MAX_BATCH = 10_000
export const DEFAULT_BODY_LIMIT_BYTES = 8 * 1024 * 1024

export interface HttpServerOptions {
  tracker: StoreTracker
  metrics: Metrics
  /** default 127.0.0.1; anywhere else a bearer token is required */
  host?: string
  /** default 7878; 0 picks a free port */
  port?: number
  /** a bearer token to require (on any host) */
  token?: string
  /** off loopback without `token`: the token file, created (0600) on first use; see httpTokenPath() */
  tokenFile?: string
  node?: NodeFacade
  /** default: fastify's own pino logger at level error (stdout) */
  logger?: FastifyBaseLogger
  bodyLimitBytes?: number
  maxBatch?: number
}

export interface HttpAddress { host: string, port: number, url: string }

/** A Startable (src/hive/lifecycle.ts): start once, stop any number of times. */
export interface HttpServer extends Startable {
  /** listens; rejects (and listens nowhere) when bound off loopback without a token */
  start: () => Promise<void>
  /** safe to call twice, before start, and after a failed start */
  stop: () => Promise<void>
  /** null until listening */
  address: () => HttpAddress | null
}

function toAddress (info: AddressInfo | string | null): HttpAddress | null {
  if (info === null || typeof info === 'string') return null
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
  return { host: info.address, port: info.port, url: `http://${host}:${info.port}` }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export function createHttpServer (options: HttpServerOptions): HttpServer {
  const host = options.host ?? DEFAULT_HTTP_HOST
  const { metrics } = options
  const app = Fastify({
    ...(options.logger === undefined ? { logger: { level: 'error' } } : { loggerInstance: options.logger }),
    // fastify's own request lines (two per request, with headers) are off: one access line per request is logged below
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: { customOptions: { removeAdditional: false } }
  })

  // Strict UTF-8: fastify's JSON parser would decode invalid bytes to U+FFFD and store altered
  // labels. Decode fatally, then hand the text to fastify's own (prototype-poisoning-safe) parser.
  const parseJsonText = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string
    try {
      text = strictUtf8.decode(body as Buffer)
    } catch {
      done(new ValidationError('(body)', 'utf8', 'not valid UTF-8'), undefined)
      return
    }
    parseJsonText(request, text, done)
  })

  /** set at start(): null when no token is in force */
  let check: ((header: string | undefined) => boolean) | null = null
  const startedAt = Date.now()
  /** the URL the API listens on, once it does (the OpenAPI document's server) */
  let servedAt: string | null = null
  const context: RouteContext = {
    tracker: options.tracker,
    node: options.node,
    metrics,
    maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH,
    serverStatus: () => ({ status: 'ok', uptime_s: Math.round((Date.now() - startedAt) / 1000), http: { url: server.address()?.url ?? null, auth: check !== null } }),
    openApi: () => openApiDocument(routes, servedAt)
  }
  const routes = [...buildRoutes(context), ...dashboardRoutes(context)]
  const patterns = routes.map(r => ({ method: r.method, re: new RegExp(`^${r.url.replace(/:\w+/g, '[^/]+')}$`) }))
  const methodsOf = (path: string): string[] => {
    const methods = new Set<string>(patterns.filter(p => p.re.test(path)).map(p => p.method))
    if (methods.has('GET')) methods.add('HEAD')
    return [...methods].sort()
  }
  const publicUrls = new Set(routes.filter(r => r.public === true).map(r => r.url))
  const isPage = registerDashboard(app, context.openApi)

  app.addHook('onRequest', async (request, reply) => {
    if (check === null && !loopbackRequestAllowed(request.headers.host, request.headers.origin)) {
      return await reply.code(403).send({ error: { code: 'FORBIDDEN_HOST', message: 'without a token this API answers only requests to a loopback name (127.0.0.1, localhost, [::1]) from no or a loopback origin' } })
    }
    const url = request.routeOptions.url ?? ''
    if (check === null || publicUrls.has(url) || isPage(url)) return
    if (!check(request.headers.authorization)) {
      return await reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token (Authorization: Bearer <token from http.token>)' } })
    }
  })
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.httpRequestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
    // the access log: the route pattern, not the URL (no query strings, no ids in the log)
    app.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, `${request.method} ${route} ${reply.statusCode}`)
  })
  // a full disk fails every write: one line a minute says so without filling the log (or the disk)
  const storageLog = createThrottledLog((fields, message) => { app.log.error(fields, message) })
  app.setErrorHandler(async (err, request, reply) => {
    const r = toErrorReply(err)
    if (r.storage === true) storageLog({ code: (err as { code?: string }).code, err: (err as Error).message, url: request.url }, 'storage failure: writes answer 507/503 until it clears')
    else if (r.unexpected) request.log.error({ err, url: request.url }, 'HTTP request failed')
    return await reply.code(r.status).send(r.body)
  })
  app.setNotFoundHandler(async (request, reply) => {
    // a route that exists under another method: 405 with the methods it has (RFC 9110 15.5.6)
    const [path = request.url] = request.url.split('?', 1)
    const allowed = methodsOf(path)
    if (allowed.length > 0) {
      return await reply.code(405).header('allow', allowed.join(', ')).send({ error: { code: 'METHOD_NOT_ALLOWED', message: `${request.method} is not allowed on ${path.slice(0, 200)}: use ${allowed.join(', ')}` } })
    }
    return await reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.slice(0, 200)}` } })
  })

  for (const r of routes) {
    const response = Object.fromEntries(Object.entries(r.responses).filter(([, res]) => res.schema !== undefined).map(([status, res]) => [status, res.schema]))
    const schema = { response, ...(r.querystring === undefined ? {} : { querystring: r.querystring }), ...(r.params === undefined ? {} : { params: r.params }), ...(r.body === undefined ? {} : { body: r.body }) }
    app.route({ method: r.method, url: r.url, schema, handler: r.handler })
  }

  let started: Promise<void> | undefined
  let stopped: Promise<void> | undefined
  const server: HttpServer = {
    async start () {
      if (started !== undefined) throw new StateError('LIFECYCLE', 'the HTTP server was already started')
      started = (async () => {
        const token = resolveToken({ host, token: options.token, tokenFile: options.tokenFile })
        check = token === null ? null : bearerChecker(token)
        await app.listen({ host, port: options.port ?? DEFAULT_HTTP_PORT })
        servedAt = (server.address() as HttpAddress).url
      })()
      await started
    },
    stop () {
      // a listen still in progress finishes first, so close() releases what it bound
      stopped ??= (async () => {
        await started?.catch(() => {})
        await app.close()
      })()
      return stopped
    },
    address: () => started === undefined || stopped !== undefined ? null : toAddress(app.server.address())
  }
  return server
}
