import { afterEach } from 'vitest'
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../../src/http/server.js'
import { createMetrics, type Metrics } from '../../src/hive/metrics.js'
import { openTracker, type Tracker } from '../../src/tracker.js'
import { tempDir } from '../helpers/tmp.js'

export interface Api {
  server: HttpServer
  tracker: Tracker
  metrics: Metrics
  dir: string
  /** base URL, always on 127.0.0.1 */
  url: string
  call: (method: string, path: string, init?: { body?: unknown, raw?: string, headers?: Record<string, string> }) => Promise<Reply>
}

export interface Reply {
  status: number
  headers: Headers
  text: string
  /** the parsed body, or undefined when it is not JSON */
  json: any
}

const open: Array<() => Promise<void>> = []

afterEach(async () => {
  while (open.length > 0) await open.pop()?.()
})

/** A real server on 127.0.0.1 (or the given host), port 0, over a fresh tracker in a temp dir. */
export async function startApi (options: Partial<HttpServerOptions> = {}): Promise<Api> {
  const dir = tempDir('hivebench-http-')
  const tracker = options.tracker ?? openTracker({ dataDir: dir })
  const metrics = options.metrics ?? createMetrics()
  const server = createHttpServer({ host: '127.0.0.1', port: 0, ...options, tracker, metrics })
  open.push(async () => { await server.stop(); tracker.close() })
  await server.start()
  const url = `http://127.0.0.1:${server.address()?.port ?? 0}`
  return { server, tracker, metrics, dir, url, call: async (method, path, init = {}) => await call(url, method, path, init) }
}

export async function call (url: string, method: string, path: string, init: { body?: unknown, raw?: string, headers?: Record<string, string> } = {}): Promise<Reply> {
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body))
  const headers = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers }
  const res = await fetch(url + path, { method, body, headers })
  const text = await res.text()
  let json: unknown
  try { json = JSON.parse(text) } catch { json = undefined }
  return { status: res.status, headers: res.headers, text, json }
}

export const outcome = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ task_type: 'bug_fix', tool: 'aider', outcome: 'pass', duration_s: 12.5, ...extra })
