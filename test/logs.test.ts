import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import type { HiveNode } from '../src/hive/node.js'
import { prettyLine } from '../src/hive/log.js'
import { CLI } from './helpers/cli.js'
import { killDaemons, startDaemon } from './helpers/daemon.js'
import { addressOf, eventually, startNode } from './helpers/hive.js'
import { tempDir } from './helpers/tmp.js'

const running: HiveNode[] = []
afterEach(async () => {
  killDaemons()
  await Promise.all(running.splice(0).map(async n => { await n.stop() }))
})

/** `hivebench start` with extra args/env; resolves with its output once `until` matches it. */
async function daemonOutput (args: string[], env: Record<string, string>, until: RegExp): Promise<{ stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'start', '--data-dir', tempDir(), '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0', ...args], { env: { ...process.env, ...env } })
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (d: Buffer) => { out.stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out.stderr += d.toString() })
  try {
    await eventually(() => until.test(out.stdout + out.stderr), 20_000)
    await new Promise(resolve => setTimeout(resolve, 300))
  } finally {
    child.kill('SIGKILL')
  }
  return out
}

describe('daemon logs', () => {
  it('an access line per HTTP request at info: method, route, status, ms', async () => {
    const d = await startDaemon(tempDir())
    await fetch(`${d.url}/v1/best?task_type=bug_fix`)
    await eventually(() => d.log().includes('"route":"/v1/best"'))
    const line = JSON.parse(d.log().split('\n').find(l => l.includes('"route":"/v1/best"')) as string)
    expect(line).toMatchObject({ level: 30, method: 'GET', route: '/v1/best', status: 200, msg: 'GET /v1/best 200' })
    expect(typeof line.ms).toBe('number')
  })

  it('HIVEBENCH_LOG_LEVEL sets the level; --log-level overrides it; a bad level is one usage line', async () => {
    const warn = await daemonOutput([], { HIVEBENCH_LOG_LEVEL: 'warn' }, /Ctrl-C stops it/)
    expect(warn.stdout).not.toContain('"level":30')
    const debug = await daemonOutput(['--log-level', 'debug'], { HIVEBENCH_LOG_LEVEL: 'warn' }, /hivebench node started/)
    expect(debug.stdout).toContain('"level":30')
    const bad = await daemonOutput(['--log-level', 'loud'], {}, /hivebench:/)
    expect(bad.stderr).toContain('hivebench: log-level: must be one of fatal, error, warn, info, debug, trace, silent')
  })

  it('JSON lines off a terminal; --log-format pretty writes lines a person reads to stderr', async () => {
    const pretty = await daemonOutput(['--log-format', 'pretty'], {}, /INFO {2}hivebench node started/)
    expect(pretty.stderr).toMatch(/^\d\d:\d\d:\d\d INFO {2}hivebench node started {2}peerId=12D3KooW/m)
    expect(pretty.stdout).not.toContain('"level"')
    expect(prettyLine('{"level":40,"time":0,"msg":"x y","component":"http","route":"/v1/best","n":2}', false))
      .toBe('00:00:00 WARN  [http] x y  route=/v1/best n=2\n')
  })

  it('gossip arrivals: one info line per peer per period, not per message; no "synced" line when a sync brought nothing', async () => {
    const lines: Array<Record<string, unknown>> = []
    const logger = pino({ level: 'info' }, { write (l: string) { lines.push(JSON.parse(l)) } })
    const a = await startNode()
    running.push(a)
    const b = await startNode({ bootstrap: [addressOf(a)], logger, arrivalSummaryMs: 1000 })
    running.push(b)
    await eventually(() => a.network.meshPeers().length === 1 && b.network.meshPeers().length === 1)
    for (let i = 0; i < 3; i++) {
      a.local.tracker.record({ task_type: 'bug_fix', tool: `t${i}`, outcome: 'pass' })
      await a.exporter.exportNow()
    }
    await eventually(() => lines.some(l => l.msg === 'gossip received'), 5000)
    const summaries = lines.filter(l => l.msg === 'gossip received')
    expect(summaries).toHaveLength(1)
    expect(summaries[0]).toMatchObject({ peer: a.network.peerId, accepted: 3 })
    // b holds everything a has: this sync brings nothing, and says nothing at info
    const before = lines.filter(l => l.msg === 'synced').length
    expect((await b.syncWith(a.network.peerId)).accepted).toBe(0)
    expect(lines.filter(l => l.msg === 'synced')).toHaveLength(before)
  })
})
