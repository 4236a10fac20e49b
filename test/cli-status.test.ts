import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { killDaemons, startDaemon } from './helpers/daemon.js'
import { eventually } from './helpers/hive.js'
import { tempDir } from './helpers/tmp.js'

afterEach(killDaemons)

const DEAD = '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWMoTbSwgPZYn7nnmCqsXKS2ZcZUSjEy6zZrmQuBbxVjPj'

describe('hivebench status', () => {
  it('alone (exit 4) with the bootstrap address and why it fails, warned once in the log; ok (exit 0) once a peer of the hive connects', async () => {
    const a = tempDir()
    const first = await startDaemon(a, ['--bootstrap', DEAD])
    await eventually(() => /connection refused/.test(runCli(['status', '--data-dir', a]).stdout), 15_000, 300)
    const alone = runCli(['status', '--data-dir', a])
    expect(alone.code).toBe(4)
    expect(alone.stdout).toMatch(/^alone: no peer of this hive connected/)
    expect(alone.stdout).toContain(`\nbootstrap address\tstate\n${DEAD}\tconnection refused: `)
    const json = JSON.parse(runCli(['status', '--data-dir', a, '--json']).stdout)
    expect(json.node).toMatchObject({ health: 'alone', connected_peers: 0, bootstrap: [{ address: DEAD, connected: false }] })
    expect(first.log().match(/cannot reach bootstrap peer/g)).toHaveLength(1)
    expect(first.log()).toMatch(/"level":40.*cannot reach bootstrap peer \/ip4\/127\.0\.0\.1\/tcp\/9\/p2p\/\S+: connection refused/)

    const id = runCli(['id', '--data-dir', a]).stdout.trim()
    const port = /"addresses":\["\/ip4\/127\.0\.0\.1\/tcp\/(\d+)/.exec(first.log())?.[1]
    const b = tempDir()
    await startDaemon(b, ['--bootstrap', `/ip4/127.0.0.1/tcp/${port}/p2p/${id}`])
    await eventually(() => runCli(['status', '--data-dir', b]).code === 0, 15_000, 300)
    expect(runCli(['status', '--data-dir', b]).stdout).toMatch(/^ok: connected to this hive \(hive "default", 1 peer\(s\) connected\)/)
    // a connects to b, but its own bootstrap entry still fails: degraded
    await eventually(() => runCli(['status', '--data-dir', a]).code === 3, 15_000, 300)
  }, 90_000)

  it('no daemon: exit 1 and how to start one', () => {
    const r = runCli(['status', '--data-dir', tempDir()])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^hivebench: no hivebench daemon is running for .*hivebench start/)
  })
})
