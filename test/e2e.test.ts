import { spawn, type ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI, runCli } from './helpers/cli.js'
import { eventually } from './helpers/hive.js'
import { tempDir } from './helpers/tmp.js'

const children: ChildProcess[] = []
afterEach(() => { for (const c of children.splice(0)) c.kill('SIGKILL') })

/** `hivebench start` as a child process on loopback; resolves with its HTTP URL. */
async function startDaemon (dataDir: string): Promise<{ child: ChildProcess, url: string }> {
  const child = spawn(process.execPath, [CLI, 'start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let log = ''
  child.stdout?.on('data', (d: Buffer) => { log += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { log += d.toString() })
  let url = ''
  await eventually(() => {
    const m = /"http":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"hivebench node started"/.exec(log)
    if (m !== null) url = m[1]
    return url !== ''
  }, 20_000)
  return { child, url }
}

describe('hivebench start (child process)', () => {
  it('records over HTTP; the CLI reads the result while the daemon runs; SIGTERM stops it cleanly', async () => {
    const dataDir = tempDir()
    const { child, url } = await startDaemon(dataDir)
    const outcomes = Array.from({ length: 8 }, (_, i) => ({ task_type: 'bug_fix', tool: 'aider', success: i < 7, duration_s: 12 }))
    const res = await fetch(`${url}/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcomes }) })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ recorded: 8, duplicates: 0 })

    const best = runCli(['best', 'bug_fix', '--data-dir', dataDir, '--json'])
    expect(best.code).toBe(0)
    expect(JSON.parse(best.stdout).best).toMatchObject({ tool: 'aider', n: 8, pass: 7 })
    expect(runCli(['publish', '--data-dir', dataDir]).stdout).toContain('published delta: 1 keys')
    expect(runCli(['peers', '--data-dir', dataDir]).stdout).toContain('0 connected peer(s)')

    const exited = new Promise<number | null>(resolve => child.on('exit', code => { resolve(code) }))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    // the daemon's final export and clean close left a consistent store behind
    expect(runCli(['peers', '--data-dir', dataDir]).stdout).toContain('no daemon running')
  })
})
