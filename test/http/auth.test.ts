import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bearerChecker, httpTokenPath, isLoopback } from '../../src/http/auth.js'
import { createHttpServer } from '../../src/http/server.js'
import { createMetrics } from '../../src/hive/metrics.js'
import { openTracker } from '../../src/tracker.js'
import { tempDir } from '../helpers/tmp.js'
import { call, startApi } from './helpers.js'

describe('HTTP API: bearer token', () => {
  it('refuses to listen off loopback without a token', async () => {
    const dir = tempDir()
    const tracker = openTracker({ dataDir: dir })
    try {
      const server = createHttpServer({ tracker, metrics: createMetrics(), host: '0.0.0.0', port: 0 })
      await expect(server.start()).rejects.toThrow(/refusing to serve the HTTP API on 0\.0\.0\.0 without a bearer token/)
      expect(server.address()).toBeNull()
      await server.stop()
      await server.stop()
    } finally {
      tracker.close()
    }
  })

  it('off loopback: creates the token file (0600) once, then every route but /healthz needs it', async () => {
    const dir = tempDir()
    const tokenFile = httpTokenPath(dir)
    // Bound to every interface, but the test only ever connects through 127.0.0.1.
    const api = await startApi({ host: '0.0.0.0', tokenFile })
    const token = readFileSync(tokenFile, 'utf8').trim()
    expect(token).toMatch(/^[\w-]{43}$/)
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)

    for (const [method, path] of [['GET', '/v1/best?task_type=t'], ['GET', '/metrics'], ['GET', '/openapi.json'], ['POST', '/v1/export'], ['GET', '/nowhere']]) {
      const r = await api.call(method, path)
      expect(r.status, path).toBe(401)
      expect(r.headers.get('www-authenticate')).toBe('Bearer')
      expect(r.json.error.code).toBe('UNAUTHORIZED')
    }
    for (const wrong of [`Bearer ${token}x`, `Bearer ${token.slice(1)}`, token, 'Basic abc', `Bearer  `]) {
      expect((await api.call('GET', '/v1/status', { headers: { authorization: wrong } })).status, wrong).toBe(401)
    }
    const rejected = await api.call('POST', '/v1/outcomes', { body: { task_type: 't', tool: 'x', outcome: 'pass' } })
    expect(rejected.status).toBe(401)
    expect(api.tracker.stats().task_types).toEqual([])

    expect((await api.call('GET', '/healthz')).status).toBe(200)
    const auth = { authorization: `Bearer ${token}` }
    expect((await api.call('GET', '/v1/status', { headers: auth })).json.http.auth).toBe(true)
    expect((await api.call('POST', '/v1/outcomes', { body: { task_type: 't', tool: 'x', outcome: 'pass' }, headers: { authorization: `bearer ${token}` } })).status).toBe(201)

    // A restart reads the same token instead of minting a new one.
    const again = await startApi({ host: '0.0.0.0', tokenFile })
    expect((await again.call('GET', '/v1/peers', { headers: auth })).status).toBe(200)
  })

  it('an explicit token is enforced on loopback too; a weak one is refused', async () => {
    const token = 'tok_' + 'z'.repeat(28)
    const api = await startApi({ token })
    expect((await api.call('GET', '/v1/stats')).status).toBe(401)
    expect((await call(api.url, 'GET', '/v1/stats', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    await expect(startApi({ token: 'short' })).rejects.toThrow(/16 to 512 printable characters/)
    await expect(startApi({ token: 'has a space in it, sadly' })).rejects.toThrow(/without spaces/)
  })

  it('knows loopback hosts and compares tokens exactly', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true)
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1']) expect(isLoopback(h), h).toBe(false)
    const check = bearerChecker('a'.repeat(20))
    expect(check(`Bearer ${'a'.repeat(20)}`)).toBe(true)
    expect(check(undefined)).toBe(false)
    expect(check('Bearer ')).toBe(false)
    expect(check(`Bearer ${'a'.repeat(21)}`)).toBe(false)
    expect(httpTokenPath('/d')).toBe(join('/d', 'http.token'))
  })
})

describe('DNS rebinding (loopback without a token)', () => {
  it('answers only loopback Host names, and no foreign browser Origin', async () => {
    const { request } = await import('node:http')
    const api = await startApi()
    const port = new URL(api.url).port
    const send = async (headers: Record<string, string>): Promise<number> => await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/stats', method: 'GET', headers }, res => { res.resume(); resolve(res.statusCode ?? 0) })
      req.on('error', reject)
      req.end()
    })
    expect(await send({ host: `127.0.0.1:${port}` })).toBe(200)
    expect(await send({ host: `localhost:${port}` })).toBe(200)
    expect(await send({ host: `[::1]:${port}` })).toBe(200)
    expect(await send({ host: `127.0.0.1:${port}`, origin: `http://localhost:${port}` })).toBe(200)
    expect(await send({ host: `evil.example:${port}` })).toBe(403)
    expect(await send({ host: `127.0.0.1:${port}`, origin: 'https://evil.example' })).toBe(403)
    expect(await send({ host: `127.0.0.1:${port}`, origin: 'null' })).toBe(403)
  })
})
