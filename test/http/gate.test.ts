import { describe, expect, it } from 'vitest'
import { startApi } from './helpers.js'

const rows = (tool: string, pass: number, fail: number, taskType = 'bug_fix'): unknown[] =>
  Array.from({ length: pass + fail }, (_, i) => ({ task_type: taskType, tool, outcome: i < pass ? 'pass' : 'grader_fail', duration_s: 20 + (i % 40) }))

describe('HTTP API: baselines, gate and trend', () => {
  it('captures, lists, shows and deletes baselines; POST /v1/gate answers the verdict and rows and is remembered per baseline', async () => {
    const api = await startApi()
    expect((await api.call('POST', '/v1/outcomes', { body: { outcomes: [...rows('aider', 700, 300), ...rows('aider', 30, 10, 'docs')] } })).status).toBe(201)
    const created = await api.call('POST', '/v1/baselines', { body: { name: 'v1', scope: 'local', note: 'n', git_sha: 'abc' } })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ name: 'v1', scope: 'local', arms: 2, note: 'n', git_sha: 'abc', last_gate: null })
    expect((await api.call('POST', '/v1/baselines', { body: { name: 'v1' } })).json.error).toMatchObject({ field: 'name', rule: 'exists' })

    const shown = await api.call('GET', '/v1/baselines/v1')
    expect(shown.status).toBe(200)
    expect(shown.json.arms).toEqual([
      expect.objectContaining({ task_type: 'bug_fix', tool: 'aider', n: 1000, pass: 700, n_duration: 1000 }),
      expect.objectContaining({ task_type: 'docs', tool: 'aider', n: 40, pass: 30 })
    ])
    expect((await api.call('GET', '/v1/baselines/nope')).status).toBe(404)

    await api.call('POST', '/v1/outcomes', { body: { outcomes: [...rows('aider', 500, 500), ...rows('aider', 30, 10, 'docs')] } })
    const gate = await api.call('POST', '/v1/gate', { body: { baseline: 'v1' } })
    expect(gate.status).toBe(200)
    expect(gate.json).toMatchObject({ verdict: 'regression', exit_code: 4, confidence: 0.95, max_drop: 0.05 })
    expect(gate.json.rows.map((r: { task_type: string }) => r.task_type)).toEqual(['bug_fix', 'docs', 'overall'])
    const row = gate.json.rows[0]
    expect(row).toMatchObject({ task_type: 'bug_fix', old: { n: 1000, pass: 700 }, new: { n: 1000, pass: 500 }, verdict: 'regression' })
    expect(row.pass_rate_drop).toBeCloseTo(2 / 7, 12)
    expect(row.p_value).toBeLessThan(1e-6)
    // every field the gate computed survives the response schema
    expect(Object.keys(row.tests)).toEqual(['pass_rate_drop', 'pass_rate_no_drop', 'pass_rate_gain', 'p50_slowdown', 'p90_slowdown', 'p50_speedup', 'p90_speedup'])
    expect(gate.json.rows[1]).toMatchObject({ verdict: 'insufficient_evidence', samples_needed: { per_side: expect.any(Number), more_per_side: expect.any(Number) } })

    const list = await api.call('GET', '/v1/baselines')
    expect(list.json.baselines[0].last_gate).toEqual(gate.json)
    const allowed = await api.call('POST', '/v1/gate', { body: { baseline: 'v1', task_types: ['docs'], allow_insufficient: true } })
    expect(allowed.json).toMatchObject({ verdict: 'insufficient_evidence', exit_code: 0 })

    expect((await api.call('DELETE', '/v1/baselines/v1')).json).toEqual({ deleted: 'v1' })
    expect((await api.call('DELETE', '/v1/baselines/v1')).status).toBe(404)
  })

  it('refuses bad input with 400 naming the field, and stores nothing', async () => {
    const api = await startApi()
    await api.call('POST', '/v1/outcomes', { body: { outcomes: rows('aider', 7, 3) } })
    const cases: Array<[string, string, unknown, string, string]> = [
      ['POST', '/v1/baselines', { name: 'a b' }, 'name', 'format'],
      ['POST', '/v1/baselines', { name: 'x', scope: 'galaxy' }, 'scope', 'enum'],
      ['POST', '/v1/baselines', { name: 'x', colour: 'red' }, 'colour', 'unknown_field'],
      ['POST', '/v1/gate', { baseline: 'nope' }, 'baseline', 'unknown'],
      ['POST', '/v1/gate', { old: 'a', new: 'b', confidence: 1.5 }, 'confidence', 'range'],
      ['POST', '/v1/gate', { old: 'a', new: 'b', max_drop: -1 }, 'max_drop', 'range'],
      ['POST', '/v1/gate', { old: 'a', new: 'b', max_slowdown: 'fast' }, 'max_slowdown', 'type']
    ]
    for (const [method, path, body, field, rule] of cases) {
      const r = await api.call(method, path, { body })
      expect(r.status, JSON.stringify(body)).toBe(400)
      expect(r.json.error).toMatchObject({ code: 'VALIDATION', field, rule })
    }
    expect((await api.call('GET', '/v1/baselines')).json).toEqual({ baselines: [] })
  })

  it('GET /v1/trend answers one series per arm; the arm filter repeats', async () => {
    const api = await startApi()
    await api.call('POST', '/v1/outcomes', { body: { outcomes: [...rows('aider', 7, 3), ...rows('ruff', 2, 2)] } })
    const r = await api.call('GET', '/v1/trend?task_type=bug_fix&days=7&arm=ruff&arm=aider')
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ task_type: 'bug_fix', days: 7, scope: 'hive', confidence: 0.95 })
    expect(r.json.arms.map((a: { tool: string }) => a.tool)).toEqual(['aider', 'ruff'])
    expect(r.json.arms[0]).toMatchObject({ classification: 'insufficient_evidence', points: [{ n: 10, pass: 7, pass_rate: 0.7 }] })
    expect((await api.call('GET', '/v1/trend?task_type=bug_fix&days=0')).json.error).toMatchObject({ field: 'days', rule: 'range' })
  })
})
