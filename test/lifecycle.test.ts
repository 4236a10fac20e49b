import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { dayOf } from '../src/core/time.js'
import { createDaemon, type Daemon } from '../src/daemon.js'
import { interval, startAll, stopAll, type Startable } from '../src/hive/lifecycle.js'
import { NODE_DEFAULTS } from '../src/hive/node.js'
import { databasePath } from '../src/store/data-dir.js'
import { openTracker } from '../src/tracker.js'
import { CLI } from './helpers/cli.js'
import { quiet } from './helpers/hive.js'
import { tempDir } from './helpers/tmp.js'

const daemons: Daemon[] = []
afterEach(async () => { while (daemons.length > 0) await daemons.pop()?.stop() })

/** A port nobody listens on right now. */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

/** true when we can listen on the port ourselves: whoever had it let go */
async function released (port: number): Promise<boolean> {
  const server = createServer()
  const ok = await new Promise<boolean>(resolve => {
    server.once('error', () => { resolve(false) })
    server.listen(port, '127.0.0.1', () => { resolve(true) })
  })
  if (ok) await new Promise(resolve => server.close(resolve))
  return ok
}

/**
 * A data dir whose first export must fail: one of this node's own counter rows has a tool name
 * longer than a whole gossip envelope (as a damaged database could), so the snapshot cannot be encoded.
 */
function unexportableDataDir (): string {
  const dataDir = tempDir()
  openTracker({ dataDir }).close()
  const db = new Database(databasePath(dataDir))
  db.prepare('INSERT INTO counters (task_type, origin, tool, model, day, n, c_pass) VALUES (?, 0, ?, ?, ?, 1, 1)')
    .run('bug_fix', 'x'.repeat(300_000), '', dayOf(Date.now()))
  db.close()
  return dataDir
}

function daemonOptions (dataDir: string, p2pPort: number, httpPort: number): Parameters<typeof createDaemon>[0] {
  return {
    ...NODE_DEFAULTS,
    dataDir,
    listen: [`/ip4/127.0.0.1/tcp/${p2pPort}`],
    exportIntervalS: 3600,
    syncIntervalS: 3600,
    logger: quiet,
    http: { host: '127.0.0.1', port: httpPort }
  }
}

describe('lifecycle', () => {
  it('startAll starts in order and, when a start fails, stops what it started in reverse (the failed one too)', async () => {
    const calls: string[] = []
    const part = (name: string, fails = false): Startable => ({
      async start () { calls.push(`start ${name}`); if (fails) throw new Error(`${name} failed`) },
      async stop () { calls.push(`stop ${name}`) }
    })
    await expect(startAll([part('a'), part('b'), part('c', true), part('d')])).rejects.toThrow('c failed')
    expect(calls).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a'])

    // stopAll runs every stop even when one throws, and reports the first failure
    calls.length = 0
    const broken: Startable = { async start () {}, async stop () { calls.push('stop broken'); throw new Error('broken stop') } }
    await expect(stopAll([part('x'), broken, part('y')])).rejects.toThrow('broken stop')
    expect(calls).toEqual(['stop y', 'stop broken', 'stop x'])
  })

  it('an interval is stoppable before start and twice', async () => {
    let ticks = 0
    const timer = interval(0.01, () => { ticks++ })
    await timer.stop()
    await timer.start()
    await expect(timer.start()).rejects.toThrow(/already started/)
    await new Promise(resolve => setTimeout(resolve, 60))
    await timer.stop()
    await timer.stop()
    const after = ticks
    expect(after).toBeGreaterThan(0)
    await new Promise(resolve => setTimeout(resolve, 40))
    expect(ticks).toBe(after)
  })

  it('a failing first export leaves no listener open: libp2p is stopped, HTTP never listened', async () => {
    const [p2pPort, httpPort] = [await freePort(), await freePort()]
    const daemon = await createDaemon(daemonOptions(unexportableDataDir(), p2pPort, httpPort))
    daemons.push(daemon)
    await expect(daemon.start()).rejects.toThrow(/more than the 262144-byte limit/)
    expect(await released(p2pPort)).toBe(true)
    expect(await released(httpPort)).toBe(true)
    expect(daemon.http.address()).toBeNull()
    await daemon.stop()
    await daemon.stop()
  })

  it('an HTTP port already taken stops the started node and releases its libp2p port', async () => {
    const [p2pPort, httpPort] = [await freePort(), await freePort()]
    const squatter = createServer()
    await new Promise<void>(resolve => squatter.listen(httpPort, '127.0.0.1', resolve))
    try {
      const daemon = await createDaemon(daemonOptions(tempDir(), p2pPort, httpPort))
      daemons.push(daemon)
      await expect(daemon.start()).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' })
      expect(await released(p2pPort)).toBe(true)
      expect(daemon.node.network.connectedPeers()).toEqual([])
    } finally {
      await new Promise(resolve => squatter.close(resolve))
    }
  })

  it('`hivebench start` exits with an error when its first export fails, instead of hanging', async () => {
    const child = spawn(process.execPath, [CLI, 'start', '--data-dir', unexportableDataDir(), '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(null) }, 20_000)
      child.on('exit', c => { clearTimeout(timer); resolve(c) })
    })
    expect(code).toBe(2)
    expect(stderr).toMatch(/more than the 262144-byte limit/)
  }, 30_000)
})
