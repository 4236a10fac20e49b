import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { killDaemons, startDaemon } from './helpers/daemon.js'
import { tempDir } from './helpers/tmp.js'

afterEach(killDaemons)

describe('hivebench start (child process)', () => {
  it('records over HTTP; the CLI reads the result while the daemon runs; SIGTERM stops it cleanly', async () => {
    const dataDir = tempDir()
    const { child, url, exited } = await startDaemon(dataDir)
    const outcomes = Array.from({ length: 8 }, (_, i) => ({ task_type: 'bug_fix', tool: 'aider', success: i < 7, duration_s: 12 }))
    const res = await fetch(`${url}/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcomes }) })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ recorded: 8, duplicates: 0 })

    const best = runCli(['best', 'bug_fix', '--data-dir', dataDir, '--json'])
    expect(best.code).toBe(0)
    expect(JSON.parse(best.stdout).best).toMatchObject({ tool: 'aider', n: 8, pass: 7 })
    expect(runCli(['publish', '--data-dir', dataDir]).stdout).toContain('published delta: 1 keys')
    expect(runCli(['peers', '--data-dir', dataDir]).stdout).toContain('0 connected peer(s)')

    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    // the daemon's final export and clean close left a consistent store behind
    expect(runCli(['peers', '--data-dir', dataDir]).stdout).toContain('no daemon running')
  })
})

describe('hivebench start refusals', () => {
  it('refuses a second daemon on the same data dir, and a taken port, with one line and exit 1', async () => {
    const dataDir = tempDir()
    const { url } = await startDaemon(dataDir)
    const second = runCli(['start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0'])
    expect(second.code).toBe(1)
    expect(second.stderr).toContain('already runs on')
    const port = new URL(url).port
    const taken = runCli(['start', '--data-dir', tempDir(), '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', port])
    expect(taken.code).toBe(1)
    expect(taken.stderr).toBe(`hivebench: HTTP address 127.0.0.1:${port} is already in use (another hivebench node?): choose another with --http-port (0: any free port)\n`)
  })

  it('a taken libp2p port: one line naming the address and --listen, no stack trace', async () => {
    const first = await startDaemon(tempDir())
    const listen = /"addresses":\["(\/ip4\/127\.0\.0\.1\/tcp\/\d+)/.exec(first.log())?.[1] as string
    const taken = runCli(['start', '--data-dir', tempDir(), '--listen', listen, '--http-port', '0'])
    expect(taken.code).toBe(1)
    expect(taken.stderr).toBe(`hivebench: libp2p address ${listen} is already in use (another hivebench node?): choose another with --listen (e.g. --listen /ip4/0.0.0.0/tcp/0 for any free port)\n`)
  })
})
