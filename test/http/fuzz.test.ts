import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OUTCOME_FIELDS } from '../../src/core/outcome.js'
import { startApi, type Api } from './helpers.js'

/** Any answer is fine but a 5xx or a dead server: bad input is always the client's 4xx. */
async function expectHandled (api: Api, method: string, path: string, raw?: string): Promise<void> {
  const r = await api.call(method, path, raw === undefined ? {} : { raw, headers: { 'content-type': 'application/json' } })
  expect(r.status, `${method} ${path} ${raw?.slice(0, 120) ?? ''}`).toBeLessThan(500)
  if (r.status >= 400) expect(r.json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) })
}

const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('pass', 'grader_fail', 'timeout', '', ' ', '2026-01-01T00:00:00Z', 'NaN', '1e400'),
  fc.double(),
  fc.integer({ min: 1_000, max: 300_000 }).map(n => 'x'.repeat(n))
)
const outcomeLike = fc.dictionary(fc.oneof(fc.constantFrom(...OUTCOME_FIELDS), fc.string({ maxLength: 12 })), fieldValue, { maxKeys: 14 })

const deep = fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('[', '{"task_type":', '{"outcomes":[')).map(([depth, open]) => {
  const close = open === '[' ? ']' : open === '{"task_type":' ? '}' : ']}'
  return open.repeat(depth) + '1' + close.repeat(depth)
})

describe('HTTP API: hostile input never crashes the server', () => {
  it('survives random JSON, wrong types, huge strings, deep nesting and garbage', { timeout: 60_000 }, async () => {
    const api = await startApi()
    const post = async (raw: string): Promise<void> => { await expectHandled(api, 'POST', '/v1/outcomes', raw) }

    await fc.assert(fc.asyncProperty(fc.jsonValue(), async v => { await post(JSON.stringify(v)) }), { numRuns: 150 })
    await fc.assert(fc.asyncProperty(outcomeLike, async o => { await post(JSON.stringify(o)) }), { numRuns: 200 })
    await fc.assert(fc.asyncProperty(fc.array(outcomeLike, { maxLength: 20 }), async rows => { await post(JSON.stringify({ outcomes: rows })) }), { numRuns: 60 })
    await fc.assert(fc.asyncProperty(deep, async raw => { await post(raw) }), { numRuns: 25 })
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), async raw => { await post(raw) }), { numRuns: 100 })

    const queryValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', '0', '-1', '1e9', 'hive', 'local', '0.5', 'NaN'))
    const query = fc.dictionary(fc.constantFrom('task_type', 'scope', 'model', 'window_days', 'min_samples', 'limit', 'explore_share', 'seed', 'x'), queryValue)
    await fc.assert(fc.asyncProperty(fc.constantFrom('/v1/best', '/v1/route', '/v1/stats'), query, async (path, q) => {
      await expectHandled(api, 'GET', `${path}?${new URLSearchParams(q).toString()}`)
    }), { numRuns: 150 })

    expect((await api.call('GET', '/healthz')).json).toEqual({ status: 'ok' })
    // Whatever was valid by chance got recorded consistently: the counters equal a recomputation.
    expect(api.tracker.store.localCounters()).toEqual(api.tracker.store.recomputeLocalCounters())
  })
})

describe('HTTP API: invalid UTF-8', () => {
  it('answers bodies with invalid UTF-8 bytes with a 4xx, stores nothing, and keeps serving', async () => {
    const api = await startApi()
    const bad = [
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), // {"\xff\xfe":1}
      Buffer.concat([Buffer.from('{"task_type":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","tool":"x","outcome":"pass"}')]), // broken 2-byte sequence
      Buffer.concat([Buffer.from('{"task_type":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","tool":"x","outcome":"pass"}')]) // encoded lone surrogate
    ]
    for (const body of bad) {
      const res = await fetch(`${api.url}/v1/outcomes`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
    }
    expect(api.tracker.store.localCounters()).toEqual([])
    expect((await api.call('GET', '/healthz')).json).toEqual({ status: 'ok' })
  })
})
