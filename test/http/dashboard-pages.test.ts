import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { startApi } from './helpers.js'

/** node:http, since fetch sets the Host header itself */
const statusOf = async (url: string, path: string, headers: Record<string, string>): Promise<number> => await new Promise((resolve, reject) => {
  const u = new URL(url)
  request({ host: u.hostname, port: u.port, path, headers }, res => { res.resume(); resolve(res.statusCode ?? 0) }).on('error', reject).end()
})

describe('dashboard pages: served from the package, public, with the API\'s Host check and a strict CSP', () => {
  it('serves / and its modules with a strict CSP, and answers a revalidation with 304', async () => {
    const api = await startApi()
    const index = await api.call('GET', '/')
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = index.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("style-src 'self';")
    expect(csp).not.toContain('unsafe')
    expect(index.headers.get('x-content-type-options')).toBe('nosniff')
    // every module the page loads is announced, and served
    const modules = [...index.text.matchAll(/<link rel="modulepreload" href="(\/ui\/[a-z-]+\.js)">/g)].map(m => m[1])
    expect(modules).toContain('/ui/main.js')
    for (const m of modules) expect((await api.call('GET', m)).headers.get('content-type')).toMatch(/^text\/javascript/)
    const main = await api.call('GET', '/ui/main.js')
    const again = await api.call('GET', '/ui/main.js', { headers: { 'if-none-match': main.headers.get('etag') as string } })
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
    expect((await api.call('GET', '/ui/nothing.js')).status).toBe(404)
    expect((await api.call('GET', '/ui/index.html')).status).toBe(404)
  })

  it('refuses a foreign Host name (DNS rebinding) for the pages as for the API', async () => {
    const api = await startApi()
    for (const path of ['/', '/ui/main.js', '/docs', '/v1/summary']) {
      expect(await statusOf(api.url, path, { host: 'evil.example' }), path).toBe(403)
      expect(await statusOf(api.url, path, { origin: 'http://evil.example' }), path).toBe(403)
      expect(await statusOf(api.url, path, {}), path).not.toBe(403)
    }
  })

  it('with a token in force, the pages answer without it and the data does not', async () => {
    const api = await startApi({ token: 'pages-test-token-0123456789' })
    expect((await api.call('GET', '/')).status).toBe(200)
    expect((await api.call('GET', '/ui/main.js')).status).toBe(200)
    expect((await api.call('GET', '/docs/')).status).toBe(200)
    for (const path of ['/v1/summary', '/v1/changes', '/v1/arms?task_type=x&by=origin', '/v1/stats']) {
      expect((await api.call('GET', path)).status, path).toBe(401)
    }
    expect((await api.call('GET', '/v1/changes', { headers: { authorization: 'Bearer pages-test-token-0123456789' } })).status).toBe(200)
  })
})
