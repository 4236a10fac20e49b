import { spawn, spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI } from './helpers/cli.js'
import { eventually } from './helpers/hive.js'
import { tempDir } from './helpers/tmp.js'

/**
 * A real full disk: the daemon's data dir and its log on an 8 MB tmpfs mounted in a private
 * mount namespace (`unshare -rm`: no root needed where user namespaces are allowed), most of it
 * taken by a ballast file that the test removes (SIGUSR1 to the wrapper) to give space back.
 */
const canMount = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=1m tmpfs "$1"', 'sh', tempDir()]).status === 0

const WRAPPER = `
set -u
dir="$1"; shift
mount -t tmpfs -o size=8m tmpfs "$dir"
mkdir "$dir/data"
dd if=/dev/zero of="$dir/ballast" bs=1k count=4500 2>/dev/null
"$@" --data-dir "$dir/data" > "$dir/daemon.log" 2>&1 &
pid=$!
tail -F -n +1 "$dir/daemon.log" 2>/dev/null &
tailpid=$!
trap 'rm -f "$dir/ballast"; echo BALLAST_REMOVED' USR1
trap 'kill $pid; wait $pid; echo "DAEMON_EXIT $?"; kill $tailpid; exit 0' TERM
while kill -0 $pid 2>/dev/null; do wait $pid; done
wait $pid; echo "DAEMON_EXIT $?"; kill $tailpid
`

const kids: Array<ReturnType<typeof spawn>> = []
afterEach(() => { for (const k of kids) k.kill('SIGKILL') })

async function timed (url: string, init?: RequestInit): Promise<{ status: number, ms: number, body: unknown }> {
  const t = performance.now()
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) })
  const body = await res.json()
  return { status: res.status, ms: performance.now() - t, body }
}

describe.skipIf(!canMount)('a full disk (data dir and log on it)', () => {
  it('keeps reads and /healthz answering, fails writes with 507, logs it once a minute at most, stays alive and writes again once space is back', async () => {
    const child = spawn('unshare', ['-rm', 'sh', '-c', WRAPPER, 'sh', tempDir(), process.execPath, CLI, 'start', '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    kids.push(child)
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    let url = ''
    await eventually(() => {
      url = /"http":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"hivebench daemon started"/.exec(out)?.[1] ?? ''
      return url !== ''
    }, 20_000)

    // fill the disk with acknowledged outcomes until the node says it is full
    let acknowledged = 0
    let full: { status: number, body: unknown } | undefined
    const batchOf = (batch: number): string => JSON.stringify({ outcomes: Array.from({ length: 2000 }, (_, i) => ({ task_type: `t${batch % 7}`, tool: 'x', success: i % 2 === 0, id: `b${batch}-${i}`, user_id: 'u'.repeat(100) })) })
    for (let batch = 0; batch < 200 && full === undefined; batch++) {
      const r = await timed(`${url}/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batchOf(batch) })
      if (r.status === 201) acknowledged += (r.body as { recorded: number }).recorded
      else full = r
    }
    expect(full).toMatchObject({ status: 507, body: { error: { code: 'STORAGE_FULL' } } })
    expect(acknowledged).toBeGreaterThan(0)

    // while full: writes 507, reads and liveness fast
    for (let i = 0; i < 20; i++) {
      expect((await timed(`${url}/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batchOf(1000 + i) })).status).toBe(507)
      const health = await timed(`${url}/healthz`)
      expect(health.status).toBe(200)
      expect(health.ms).toBeLessThan(1000)
      expect((await timed(`${url}/v1/stats?scope=local&window_days=1`)).status).toBe(200)
    }
    const stats = await timed(`${url}/v1/stats?scope=local`)
    const n = (stats.body as { task_types: Array<{ ranking: Array<{ n: number }> }> }).task_types.flatMap(t => t.ranking).reduce((s, a) => s + a.n, 0)
    expect(n).toBe(acknowledged)

    // space comes back: the process is alive, writes succeed, nothing acknowledged was lost
    child.kill('SIGUSR1')
    await eventually(() => out.includes('BALLAST_REMOVED'), 5000)
    await eventually(async () => (await timed(`${url}/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task_type: 'late', tool: 'x', success: true }) })).status === 201, 10_000, 200)
    expect((await timed(`${url}/healthz`)).status).toBe(200)
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(out).not.toContain('DAEMON_EXIT')
    expect(out.match(/storage failure/g)?.length ?? 0).toBeLessThanOrEqual(1)
    child.kill('SIGTERM')
    await eventually(() => out.includes('DAEMON_EXIT'), 10_000)
    expect(out).toMatch(/DAEMON_EXIT 0/)
  }, 90_000)
})
