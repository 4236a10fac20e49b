import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../src/hive/metrics.js'
import { outcome, startApi } from './helpers.js'

// The Prometheus text exposition format, line by line: `name{label="value",...} value [timestamp]`.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:\\\\.|[^"\\\\])*"'
const VALUE = '(?:[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?Inf|NaN)'
const SAMPLE = new RegExp(`^(${NAME})(\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? ${VALUE}( -?\\d+)?$`)
const COMMENT = new RegExp(`^# (?:HELP ${NAME} .*|TYPE ${NAME} (?:counter|gauge|histogram|summary|untyped))$`)

function parsePrometheus (text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith('#')) {
      expect(line, 'comment line').toMatch(COMMENT)
      continue
    }
    expect(line, 'sample line').toMatch(SAMPLE)
    const at = line.lastIndexOf(' ')
    samples.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return samples
}

const ROUTES: Array<[string, string]> = [
  ['post', '/v1/outcomes'], ['get', '/v1/best'], ['get', '/v1/route'], ['get', '/v1/stats'], ['get', '/v1/peers'],
  ['get', '/v1/status'], ['post', '/v1/export'], ['get', '/healthz'], ['get', '/metrics'], ['get', '/openapi.json'],
  ['get', '/v1/arms'], ['get', '/v1/summary'], ['get', '/v1/changes'],
  ['get', '/v1/baselines'], ['post', '/v1/baselines'], ['get', '/v1/baselines/{name}'], ['delete', '/v1/baselines/{name}'],
  ['post', '/v1/gate'], ['get', '/v1/trend']
]

describe('HTTP API: /metrics and /openapi.json', () => {
  it('serves Prometheus text with the node counters, kept apart per node', async () => {
    const api = await startApi()
    const other = createMetrics()
    other.outcomesRecorded.inc(1000)
    await api.call('POST', '/v1/outcomes', { body: { outcomes: [outcome({ id: 'x' }), outcome(), outcome()] } })
    await api.call('POST', '/v1/outcomes', { body: outcome({ id: 'x' }) })
    await api.call('GET', '/v1/best?task_type=bug_fix')
    await api.call('GET', '/v1/best?task_type=bug_fix&scope=nowhere')
    api.metrics.countEnvelope('received', 'rejected', 'signature')
    api.metrics.countEnvelope('published', 'accepted')
    api.metrics.peersConnected.set(2)
    api.metrics.exportDuration.observe(0.02)

    const res = await api.call('GET', '/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const m = parsePrometheus(res.text)
    expect(m.get('hivebench_outcomes_recorded_total')).toBe(3)
    expect(m.get('hivebench_outcome_duplicates_total')).toBe(1)
    expect(m.get('hivebench_envelopes_total{direction="received",verdict="rejected",rule="signature"}')).toBe(1)
    expect(m.get('hivebench_envelopes_total{direction="published",verdict="accepted",rule="none"}')).toBe(1)
    expect(m.get('hivebench_peers_connected')).toBe(2)
    expect(m.get('hivebench_origins_known')).toBe(0)
    expect(m.get('hivebench_export_duration_seconds_count')).toBe(1)
    expect(m.get('hivebench_http_request_duration_seconds_count{method="POST",route="/v1/outcomes",status="201"}')).toBe(2)
    expect(m.get('hivebench_http_request_duration_seconds_count{method="GET",route="/v1/best",status="400"}')).toBe(1)
    expect([...m.keys()].some(k => k.startsWith('hivebench_process_cpu_user_seconds_total'))).toBe(true)
  })

  it('describes every route in a valid OpenAPI 3 document', async () => {
    const api = await startApi()
    const res = await api.call('GET', '/openapi.json')
    expect(res.status).toBe(200)
    const doc = JSON.parse(res.text)
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/)
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) })
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map(m => `${m} ${path}`))
    expect(documented.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort())
    const ids = new Set<string>()
    for (const [method, path] of ROUTES) {
      const op = doc.paths[path][method]
      expect(op.summary, path).toEqual(expect.any(String))
      expect(Object.keys(op.responses), path).toContain('500')
      ids.add(op.operationId)
      // Every documented status answers with a schema, every route we serve answers with one of them.
      for (const r of Object.values(op.responses) as Array<{ description: string, content: Record<string, { schema: unknown }> }>) {
        expect(r.description).toEqual(expect.any(String))
        expect(Object.values(r.content)[0].schema).toBeTypeOf('object')
      }
    }
    expect(ids.size).toBe(ROUTES.length)
    expect(doc.paths['/v1/best'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['task_type', 'scope', 'model', 'window_days', 'min_samples', 'limit'])
    expect(doc.paths['/v1/route'].get.parameters.find((p: { name: string }) => p.name === 'seed')).toMatchObject({ in: 'query', required: false })
    expect(doc.paths['/v1/outcomes'].post.requestBody.content['application/json'].schema.oneOf[1].properties.outcomes.maxItems).toBe(10_000)
    expect(doc.paths['/healthz'].get.security).toEqual([])
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' })
    const best = await api.call('GET', '/v1/best?task_type=x')
    expect(Object.keys(doc.paths['/v1/best'].get.responses['200'].content['application/json'].schema.properties)).toEqual(Object.keys(best.json))
  })
})
