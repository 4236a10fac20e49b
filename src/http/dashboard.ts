import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { ApiError } from './errors.js'

/**
 * The dashboard (`/`, assets under `/ui/`) and Swagger UI (`/docs`). Every byte is read from the
 * package at start: nothing is fetched at run time. The pages are public (a browser cannot send
 * a bearer header when it navigates); the data they show comes from the API, which still needs
 * the token off loopback, and the Host/Origin check applies to them as to the API.
 */

// script and style from this origin only: no inline script, no style attribute, no eval.
const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
// Swagger UI (React) sets style attributes: inline styles are allowed on /docs, scripts are not.
const DOCS_CSP = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data:",
  'font-src': "'self' data:",
  'connect-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'"
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml'
}

interface Asset { body: Buffer, type: string, etag: string }

/** The package root: the nearest folder above this file holding package.json (src/ in tests, dist/src/ installed). */
function packageRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('hivebench package root not found')
    dir = up
  }
  return dir
}

function loadAssets (): Map<string, Asset> {
  const root = packageRoot()
  // static files as written, and the browser modules tsc compiles from web/src (npm run build)
  const dirs = [join(root, 'web', 'static'), join(root, 'dist', 'web')]
  const assets = new Map<string, Asset>()
  for (const dir of dirs) {
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir)) {
      const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))]
      if (type === undefined) continue
      const body = readFileSync(join(dir, name))
      assets.set(name, { body, type, etag: etagOf(body) })
    }
  }
  // Every module is announced in the page, so the browser fetches them at once rather than
  // discovering each level of imports after the last one arrived.
  const index = assets.get('index.html')
  if (index !== undefined) {
    const preload = [...assets.keys()].filter(n => n.endsWith('.js')).sort().map(n => `<link rel="modulepreload" href="/ui/${n}">`).join('\n')
    const body = Buffer.from(index.body.toString('utf8').replace('</head>', `${preload}\n</head>`))
    assets.set('index.html', { ...index, body, etag: etagOf(body) })
  }
  return assets
}

const etagOf = (body: Buffer): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`

function send (reply: FastifyReply, asset: Asset, ifNoneMatch: string | undefined): FastifyReply {
  reply.header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    // revalidate every time: a 304 costs a few bytes, and an upgraded node never serves stale code
    .header('cache-control', 'no-cache')
    .header('etag', asset.etag)
  if (ifNoneMatch === asset.etag) return reply.code(304).send()
  return reply.type(asset.type).send(asset.body)
}

/** Registers the pages; returns whether a route URL is one of them (public: no token). */
export function registerDashboard (app: FastifyInstance, openApi: () => Record<string, unknown>): (routeUrl: string) => boolean {
  const assets = loadAssets()
  const notBuilt = (): never => { throw new ApiError(503, 'DASHBOARD_NOT_BUILT', 'the dashboard is not built: run npm run build') }

  app.get('/', async (request, reply) => {
    const index = assets.get('index.html')
    if (index === undefined || !assets.has('main.js')) notBuilt()
    return send(reply, index as Asset, request.headers['if-none-match'])
  })
  app.get('/ui/:name', async (request, reply) => {
    const asset = assets.get((request.params as { name: string }).name)
    if (asset === undefined || asset.type.startsWith('text/html')) throw new ApiError(404, 'NOT_FOUND', 'no such dashboard file')
    return send(reply, asset, request.headers['if-none-match'])
  })

  // Swagger UI over the same OpenAPI document as /openapi.json, with relative server URLs so
  // "Try it out" calls this node on whatever port it listens.
  void app.register(fastifySwagger, { mode: 'static', specification: { document: { ...openApi(), servers: [{ url: '/' }] } as never } })
  void app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP, uiConfig: { validatorUrl: null } })

  return (url) => url === '/' || url === '/ui/:name' || url === '/docs' || url.startsWith('/docs/')
}
