import { describe, expect, it } from 'vitest'
import { startApi } from './helpers.js'

describe('HTTP conventions', () => {
  it('a wrong method gets 405 with Allow (and the common error shape); an unknown path stays 404', async () => {
    const api = await startApi()
    const wrong = await api.call('DELETE', '/v1/best?task_type=x')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, HEAD')
    expect(wrong.json).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'DELETE is not allowed on /v1/best: use GET, HEAD' } })
    const post = await api.call('GET', '/v1/outcomes')
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toContain('POST')
    expect((await api.call('GET', '/v1/nothing')).status).toBe(404)
  })

  it('OpenAPI: servers from the address served on; 403 on every route, 415 where there is a body; one Error schema under components', async () => {
    const api = await startApi()
    const doc = (await api.call('GET', '/openapi.json')).json
    expect(doc.servers).toEqual([{ url: api.url }])
    expect(doc.components.schemas.Error.properties.error.properties.code).toEqual({ type: 'string' })
    for (const [path, ops] of Object.entries(doc.paths) as Array<[string, Record<string, { responses: Record<string, any>, requestBody?: unknown }>]>) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.responses['403'], `${method} ${path}`).toBeDefined()
        if (op.requestBody !== undefined) expect(op.responses['415'], `${method} ${path}`).toBeDefined()
        for (const [status, res] of Object.entries(op.responses)) {
          if (Number(status) >= 400) expect(res.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' })
        }
      }
    }
    // the documented 415 is what a wrong content type gets, in the common shape
    const unsupported = await api.call('POST', '/v1/outcomes', { raw: '<outcome/>', headers: { 'content-type': 'application/xml' } })
    expect(unsupported.status).toBe(415)
    expect(Object.keys(unsupported.json.error)).toEqual(expect.arrayContaining(['code', 'message']))
  })
})
