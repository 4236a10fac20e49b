/**
 * The dashboard reads the node's own HTTP API, on the origin that served it. Off loopback the
 * API needs the bearer token: asked once, kept in sessionStorage (gone when the tab closes),
 * sent in the Authorization header and never put in a URL.
 */
import type { RankedArm } from '../../dist/src/core/ranking.js'
import type { OutcomeClass } from '../../dist/src/core/types.js'

const TOKEN_KEY = 'hivebench.token'

export class Unauthorized extends Error {}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (t: string): void => { sessionStorage.setItem(TOKEN_KEY, t) },
  clear: (): void => { sessionStorage.removeItem(TOKEN_KEY) }
}

async function request<T> (method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const t = token.get()
  if (t !== null) headers.authorization = `Bearer ${t}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' })
  if (res.status === 401) throw new Unauthorized('the node wants its API token')
  const json = await res.json() as T & { error?: { message: string } }
  if (!res.ok) throw new Error(json.error?.message ?? `${path}: HTTP ${res.status}`)
  return json
}

export const get = async <T>(path: string): Promise<T> => await request<T>('GET', path)
export const post = async <T>(path: string, body: unknown): Promise<T> => await request<T>('POST', path, body)

export const q = (params: Record<string, string | number | undefined>): string =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString()

// The API's shapes, as far as the pages read them. The ranking's types are the server's own,
// read from the declarations the server build writes (dist/src, built first by `npm run build`,
// `npm test` and `npm install`): a type-only import, so nothing of the server reaches the page.
export type { OutcomeClass, RankedArm }
export const OUTCOME_CLASSES: readonly OutcomeClass[] = ['pass', 'grader_fail', 'timeout', 'no_tool_calls', 'error']

export interface Summary {
  window_days: number
  task_types: Array<{ task_type: string, arms: number, n: number, hive: RankedArm | null, local: RankedArm | null, differ: boolean }>
}

export interface Best { task_type: string, scope: string, window_days: number, min_samples: number, best: RankedArm | null, ranking: RankedArm[] }

export interface ByOrigin {
  origin_cap: number
  arms: Array<{ tool: string, model: string, n: number, weighted_n: number, origins: Array<{ origin: string | null, self: boolean, n: number, pass: number, pass_rate: number, weighted_n: number, capped: boolean }> }>
}

export interface Trend {
  arms: Array<{ tool: string, model: string, days: Array<{ day: string, n: number, pass_rate: number, p50_s: number | null }> }>
}
