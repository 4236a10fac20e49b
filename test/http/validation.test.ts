import { describe, expect, it } from 'vitest'
import { outcome, startApi, type Api } from './helpers.js'

const DAY_MS = 86_400_000
const base = { task_type: 'bug_fix', tool: 'aider', outcome: 'pass' }

async function expectNothingStored (api: Api): Promise<void> {
  expect(api.tracker.stats({ scope: 'local' }).task_types).toEqual([])
  expect((await api.call('GET', '/v1/stats?scope=local')).json.task_types).toEqual([])
}

describe('HTTP API: bad input is a 400 naming field and rule, and stores nothing', () => {
  // Every rule of the tracker's outcome validation (README.md, "Recording outcomes"), as the HTTP client sees it.
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ tool: 'x', outcome: 'pass' }, 'task_type', 'required'],
    [{ ...base, task_type: '   ' }, 'task_type', 'required'],
    [{ ...base, task_type: 'x'.repeat(129) }, 'task_type', 'range'],
    [{ ...base, task_type: 7 }, 'task_type', 'type'],
    [{ task_type: 't', outcome: 'pass' }, 'tool', 'required'],
    [{ ...base, tool: ['aider'] }, 'tool', 'type'],
    [{ ...base, model: 'm'.repeat(129) }, 'model', 'range'],
    [{ task_type: 't', tool: 'x' }, 'outcome', 'required'],
    [{ ...base, outcome: 'passed' }, 'outcome', 'enum'],
    [{ ...base, success: 'yes' }, 'success', 'type'],
    [{ ...base, success: false }, 'success', 'conflict'],
    [{ ...base, duration_s: 0 }, 'duration_s', 'range'],
    [{ ...base, duration_s: -2 }, 'duration_s', 'range'],
    [{ ...base, duration_s: 7 * 86400 + 1 }, 'duration_s', 'range'],
    [{ ...base, duration_s: '12' }, 'duration_s', 'type'],
    [{ ...base, cost_usd: -0.01 }, 'cost_usd', 'range'],
    [{ ...base, cost_usd: 2e6 }, 'cost_usd', 'range'],
    [{ ...base, offloaded: 'true' }, 'offloaded', 'type'],
    [{ ...base, user_id: 'u'.repeat(257) }, 'user_id', 'range'],
    [{ ...base, id: '' }, 'id', 'range'],
    [{ ...base, id: 'i'.repeat(257) }, 'id', 'range'],
    [{ ...base, at: 'yesterday' }, 'at', 'format'],
    [{ ...base, at: new Date(Date.now() + 3_600_000).toISOString() }, 'at', 'future'],
    [{ ...base, at: new Date(Date.now() - 200 * DAY_MS).toISOString() }, 'at', 'retention'],
    [{ ...base, sucess: true }, 'sucess', 'unknown_field']
  ]

  it('one outcome: every validation rule', async () => {
    const api = await startApi()
    for (const [body, field, rule] of cases) {
      const r = await api.call('POST', '/v1/outcomes', { body })
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(r.json.error).toMatchObject({ code: 'VALIDATION', field, rule })
      expect(r.json.error.message).toContain(`${field}: `)
    }
    await expectNothingStored(api)
  })

  it('a batch with one bad row stores nothing and names the row', async () => {
    const api = await startApi({ maxBatch: 5 })
    const rows = [outcome(), outcome(), outcome({ duration_s: -1 }), outcome()]
    const r = await api.call('POST', '/v1/outcomes', { body: { outcomes: rows } })
    expect(r.status).toBe(400)
    expect(r.json.error).toEqual({ code: 'VALIDATION', field: 'duration_s', rule: 'range', row: 3, message: 'row 3: duration_s: must be > 0 (omit it when unknown)' })
    await expectNothingStored(api)
    expect((await api.call('GET', '/v1/best?task_type=bug_fix')).json).toMatchObject({ best: null, ranking: [] })

    const batchErrors: Array<[unknown, string, string]> = [
      [{ outcomes: 'all of them' }, 'outcomes', 'type'],
      [{ outcomes: Array.from({ length: 6 }, () => outcome()) }, 'outcomes', 'range'],
      [{ outcomes: [outcome()], extra: 1 }, 'extra', 'unknown_field'],
      [{ outcomes: [outcome(), 'not an object'] }, '(outcome)', 'type'],
      [[outcome()], '(body)', 'type'],
      ['just text', '(body)', 'type']
    ]
    for (const [body, field, rule] of batchErrors) {
      const bad = await api.call('POST', '/v1/outcomes', { body })
      expect(bad.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(bad.json.error).toMatchObject({ field, rule })
    }
    await expectNothingStored(api)
    expect((await api.call('POST', '/v1/outcomes', { body: { outcomes: rows.filter((_, i) => i !== 2) } })).json).toEqual({ recorded: 3, duplicates: 0 })
  })

  it('malformed JSON is 400, an oversized body 413, and neither stores anything', async () => {
    const api = await startApi({ bodyLimitBytes: 4096 })
    for (const raw of ['{"task_type": "bug_fix",', '{task_type: bug_fix}', '', 'null']) {
      const r = await api.call('POST', '/v1/outcomes', { raw, headers: { 'content-type': 'application/json' } })
      expect(r.status, raw).toBe(400)
      expect(r.json.error).toMatchObject({ field: '(body)', rule: raw === 'null' ? 'type' : 'json' })
    }
    const poisoned = await api.call('POST', '/v1/outcomes', { raw: '{"__proto__": {"x": 1}, "task_type": "t", "tool": "x", "outcome": "pass"}' })
    expect(poisoned.status).toBe(400)
    const big = await api.call('POST', '/v1/outcomes', { body: { outcomes: Array.from({ length: 100 }, () => outcome()) } })
    expect(big.status).toBe(413)
    expect(big.json.error.code).toBe('BODY_TOO_LARGE')
    const text = await api.call('POST', '/v1/outcomes', { raw: 'task_type=bug_fix', headers: { 'content-type': 'text/plain' } })
    expect(text.status).toBe(400)
    expect(text.json.error).toMatchObject({ field: '(body)', rule: 'type' })
    const xml = await api.call('POST', '/v1/outcomes', { raw: '<outcome/>', headers: { 'content-type': 'application/xml' } })
    expect(xml.status).toBe(415)
    expect(xml.json.error.code).toBe('FST_ERR_CTP_INVALID_MEDIA_TYPE')
    await expectNothingStored(api)
  })

  it('query parameters: schema and tracker rules alike name the field and rule', async () => {
    const api = await startApi()
    const cases: Array<[string, string, string]> = [
      ['/v1/best', 'task_type', 'required'],
      ['/v1/best?task_type=%20', 'task_type', 'required'],
      ['/v1/best?task_type=t&scope=galaxy', 'scope', 'enum'],
      ['/v1/best?task_type=t&window_days=0', 'window_days', 'range'],
      ['/v1/best?task_type=t&window_days=abc', 'window_days', 'type'],
      ['/v1/best?task_type=t&window_days=365', 'window_days', 'range'],
      ['/v1/best?task_type=t&min_samples=1.5', 'min_samples', 'type'],
      ['/v1/best?task_type=t&windowdays=7', 'windowdays', 'unknown_field'],
      ['/v1/route?task_type=t&explore_share=1.5', 'explore_share', 'range'],
      ['/v1/route?task_type=t&explore_share=x', 'explore_share', 'type'],
      ['/v1/route', 'task_type', 'required'],
      ['/v1/stats?scope=local&scope=hive', 'scope', 'type']
    ]
    for (const [path, field, rule] of cases) {
      const r = await api.call('GET', path)
      expect(r.status, path).toBe(400)
      expect(r.json.error, path).toMatchObject({ code: 'VALIDATION', field, rule })
    }
  })
})
