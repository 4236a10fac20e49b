import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { outcome, startApi } from './helpers.js'

const ARM_FIELDS = ['tool', 'model', 'n', 'pass', 'pass_rate', 'wilson_lower', 'p50_s', 'p90_s', 'mean_cost_usd', 'outcomes', 'origins']

describe('HTTP API: success paths', () => {
  it('records one outcome and batches, counts duplicates, and answers best / stats / route', async () => {
    const api = await startApi()
    const one = await api.call('POST', '/v1/outcomes', { body: outcome({ id: 'a-1' }) })
    expect(one.status).toBe(201)
    expect(one.json).toEqual({ recorded: 1, duplicates: 0 })
    expect((await api.call('POST', '/v1/outcomes', { body: outcome({ id: 'a-1' }) })).json).toEqual({ recorded: 0, duplicates: 1 })

    const rows = [
      ...Array.from({ length: 9 }, () => outcome({ cost_usd: 0.25 })),
      ...Array.from({ length: 6 }, (_, i) => outcome({ tool: 'ruff', outcome: i < 3 ? 'pass' : 'no_tool_calls' })),
      outcome({ tool: 'codex', outcome: 'grader_fail' })
    ]
    const batch = await api.call('POST', '/v1/outcomes', { body: { outcomes: rows } })
    expect(batch.status).toBe(201)
    expect(batch.json).toEqual({ recorded: 16, duplicates: 0 })

    const best = await api.call('GET', '/v1/best?task_type=bug_fix&scope=local')
    expect(best.status).toBe(200)
    expect(best.json).toMatchObject({ task_type: 'bug_fix', scope: 'local', window_days: 30, min_samples: 5, best: { tool: 'aider', n: 10, pass: 10 } })
    expect(Object.keys(best.json.best)).toEqual(expect.arrayContaining(ARM_FIELDS))
    expect(best.json.best.mean_cost_usd).toBeCloseTo(0.25)
    expect(best.json.ranking.map((a: { tool: string }) => a.tool)).toEqual(['aider', 'ruff', 'codex'])
    expect(best.json.ranking[1].outcomes).toEqual({ pass: 3, grader_fail: 0, timeout: 0, no_tool_calls: 3, error: 0 })
    // The response must equal what the embedded API says: the schema drops nothing.
    expect(best.json).toEqual(JSON.parse(JSON.stringify(api.tracker.best('bug_fix', { scope: 'local' }))))

    const filtered = await api.call('GET', '/v1/best?task_type=bug_fix&model=none&window_days=7&min_samples=1')
    expect(filtered.json).toMatchObject({ window_days: 7, min_samples: 1, best: null, ranking: [] })

    const stats = await api.call('GET', '/v1/stats')
    expect(stats.status).toBe(200)
    expect(stats.json).toMatchObject({ scope: 'hive', task_types: [{ task_type: 'bug_fix' }] })
    expect(stats.json.task_types[0].ranking).toHaveLength(3)
    expect((await api.call('GET', '/v1/stats?task_type=other&scope=local')).json.task_types).toEqual([])

    const route = await api.call('GET', '/v1/route?task_type=bug_fix&explore_share=0')
    expect(route.status).toBe(200)
    expect(route.json).toMatchObject({ task_type: 'bug_fix', mode: 'exploit', explore_share: 0, arm: { tool: 'aider' } })
    expect(route.json.reason).toMatch(/^exploit: aider has the highest 95% lower bound/)
    expect(route.json.ranking[0]).toEqual({ tool: 'aider', model: '', n: 10, pass_rate: 1, wilson_lower: best.json.best.wilson_lower, benchmarked: true })
  })

  it('a seeded route is deterministic, and explore_share=1 always explores', async () => {
    const api = await startApi()
    api.tracker.recordBatch([...Array.from({ length: 20 }, () => outcome()), ...Array.from({ length: 20 }, () => outcome({ tool: 'ruff', outcome: 'grader_fail' }))])
    const decisions = await Promise.all(Array.from({ length: 5 }, async () => (await api.call('GET', '/v1/route?task_type=bug_fix&explore_share=0.5&seed=abc')).json))
    for (const d of decisions) expect(d).toEqual(decisions[0])
    const seeds = await Promise.all(Array.from({ length: 40 }, async (_, i) => (await api.call('GET', `/v1/route?task_type=bug_fix&explore_share=0.5&seed=${i}`)).json.mode))
    expect(new Set(seeds)).toEqual(new Set(['exploit', 'explore']))
    const always = await api.call('GET', '/v1/route?task_type=bug_fix&explore_share=1&seed=7')
    expect(always.json.mode).toBe('explore')
    expect(always.json.reason).toContain('Thompson')
    const cold = await api.call('GET', '/v1/route?task_type=unknown')
    expect(cold.json).toMatchObject({ mode: 'cold_start', arm: null })
    expect(cold.json.reason).toContain('no data')
  })

  it('answers healthz, status, peers, export (503 without a node) and calls the node when there is one', async () => {
    const bare = await startApi()
    expect(await bare.call('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } })
    const status = await bare.call('GET', '/v1/status')
    expect(status.json).toMatchObject({ status: 'ok', http: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), auth: false }, node: null })
    expect(await bare.call('GET', '/v1/peers')).toMatchObject({ status: 200, json: { peers: [] } })
    const noNode = await bare.call('POST', '/v1/export')
    expect(noNode.status).toBe(503)
    expect(noNode.json.error).toMatchObject({ code: 'NO_NODE', message: expect.stringContaining('running node') })

    let exports = 0
    const withNode = await startApi({
      node: {
        status: () => ({ peer_id: '12D3KooWtest', hive: 'default' }),
        peers: () => ({ peers: [{ peer_id: '12D3KooWpeer', addrs: ['/ip4/127.0.0.1/tcp/1'] }] }),
        exportNow: async () => ({ kind: 'delta', entries: ++exports })
      }
    })
    expect((await withNode.call('GET', '/v1/status')).json.node).toEqual({ peer_id: '12D3KooWtest', hive: 'default' })
    expect((await withNode.call('GET', '/v1/peers')).json.peers[0].peer_id).toBe('12D3KooWpeer')
    expect(await withNode.call('POST', '/v1/export')).toMatchObject({ status: 200, json: { kind: 'delta', entries: 1 } })
  })

  it('an unexpected failure is a generic 500, logged with its details', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'error' }, { write: (line: string) => { lines.push(line) } })
    const api = await startApi({
      logger,
      node: {
        status: () => { throw new TypeError('status exploded: secret detail') },
        peers: () => ({ peers: [] }),
        exportNow: async () => { throw new Error('disk on fire: secret detail') }
      }
    })
    for (const [method, path] of [['GET', '/v1/status'], ['POST', '/v1/export']]) {
      const r = await api.call(method, path)
      expect(r.status).toBe(500)
      expect(r.json).toEqual({ error: { code: 'INTERNAL', message: 'internal error (logged on the node)' } })
    }
    expect(lines.join('\n')).toMatch(/status exploded[\s\S]*disk on fire/)
    expect((await api.call('GET', '/healthz')).status).toBe(200)
  })

  it('unknown routes are 404 with a JSON error', async () => {
    const api = await startApi()
    const r = await api.call('GET', '/v2/nothing')
    expect(r.status).toBe(404)
    expect(r.json.error).toMatchObject({ code: 'NOT_FOUND', message: 'no route GET /v2/nothing' })
    // a route that exists under another method is 405, not 404 (test/http/conventions.test.ts)
    expect((await api.call('DELETE', '/v1/outcomes')).status).toBe(405)
  })
})
