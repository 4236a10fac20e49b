import '../src/polyfill.js'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { generateKeyPair } from '@libp2p/crypto/keys'
import Table from 'cli-table3'
import { dayOf } from '../src/core/time.js'
import { emptyCounters, type CounterEntry } from '../src/core/types.js'
import { writeEnvelopeFile } from '../src/hive/envelope-file.js'
import { WORK_BITS_ENV } from '../src/hive/work-bits.js'
import { createHiveNetwork, type HiveNetwork, type SyncHandler } from '../src/network/index.js'
import { encodeSyncRequest } from '../src/protocol/sync-digest.js'
import { encodeEnvelope, MAX_ENVELOPE_BYTES } from '../src/protocol/index.js'
import { at } from './lib/lists.js'
import { fmt } from './lib/measure.js'

/**
 * npm run bench:hostile -- [--during S] [--after S] [--deltas N] [--only ATTACK] [--profile DIR]: each network attack of issue
 * 14 against a real daemon (`hivebench start`, a child process, so its RSS is its own) over
 * 127.0.0.1, for a bounded time: the attackers are libp2p nodes in this process. Per attack it
 * prints the daemon's RSS and the p99 of GET /healthz and GET /v1/best (one client, back to
 * back) while idle, during the attack and after it, against the targets: p99 <= 50 ms and RSS
 * <= 2x idle during, RSS back within 10% of idle within 30 s after.
 *
 *   sync-responder  8 peers x 2 sync streams whose answers they never read (the daemon holds one
 *                   origin of N deltas of ~1 MB)
 *   sync-requester  16 peers answering the daemon's on-connect sync with 61 MiB of junk each
 *   gossip-flood    one peer publishing envelopes of fresh origins as fast as it can
 *   origin-keys     one origin publishing deltas of 1,000 new keys each as fast as it can
 */
const { values } = parseArgs({ options: { during: { type: 'string', default: '10' }, after: { type: 'string', default: '30' }, deltas: { type: 'string', default: '64' }, only: { type: 'string' }, profile: { type: 'string' } } })
// The hive of this bench asks no identity work (R24): attackers mint fresh origins for free,
// the harshest case for the daemon (the daemon child inherits this environment).
process.env[WORK_BITS_ENV] = '0'
const duringS = Number(values.during)
const afterS = Number(values.after)
const deltas = Number(values.deltas)
const IDLE_S = 5
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'hivebench-hostile-'))
const NOW = Date.now()
const TODAY = dayOf(NOW)
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))
// daemons still running: an overall timeout must not leave one behind, nor the temp dir
const daemons = new Set<ChildProcess>()
const hardStop = setTimeout(() => {
  console.error('bench:hostile: overall timeout')
  for (const child of daemons) child.kill('SIGKILL')
  rmSync(root, { recursive: true, force: true })
  process.exit(2)
}, (4 * (IDLE_S + duringS + afterS) + 600) * 1000)
hardStop.unref()

interface Victim { child: ChildProcess, url: string, peerId: string, addr: string, dataDir: string }

async function startVictim (dataDir: string): Promise<Victim> {
  // --profile DIR: the daemon writes a CPU profile and a heap-allocation profile there when it stops
  const profile = values.profile === undefined ? [] : ['--cpu-prof', '--heap-prof', '--cpu-prof-dir', values.profile, '--heap-prof-dir', values.profile]
  const child = spawn(process.execPath, [...profile, CLI, 'start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0', '--sync-interval', '3600'], { stdio: ['ignore', 'pipe', 'pipe'] })
  daemons.add(child)
  child.once('exit', () => { daemons.delete(child) })
  let log = ''
  child.stdout?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-1_000_000) })
  child.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-1_000_000) })
  for (let i = 0; i < 400; i++) {
    const line = log.split('\n').find(l => l.includes('"hivebench daemon started"'))
    if (line !== undefined) {
      const started = JSON.parse(line) as { peerId: string, addresses: string[], http: string }
      const [addr] = started.addresses
      if (addr === undefined) throw new Error(`the daemon started without a listen address: ${line}`)
      const victim = { child, url: started.http, peerId: started.peerId, addr, dataDir }
      // something for /v1/best to rank
      const outcomes = Array.from({ length: 2000 }, (_, i) => ({ task_type: 'bug_fix', tool: `tool${i % 10}`, success: i % 3 !== 0, duration_s: 1 + (i % 50) }))
      await fetch(`${victim.url}/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcomes }) })
      return victim
    }
    await sleep(50)
  }
  throw new Error(`the daemon did not start: ${log}`)
}

async function stopVictim (v: Victim): Promise<void> {
  const exited = new Promise(resolve => v.child.once('exit', resolve))
  v.child.kill('SIGTERM')
  await Promise.race([exited, sleep(10_000)])
  v.child.kill('SIGKILL')
}


/**
 * Back-to-back GET /healthz and /v1/best for `seconds`, with the daemon's RSS sampled on every
 * round: p99 of each (a failed request counts as its 10 s timeout), the highest RSS, and when RSS
 * first fell to `rssBelow`. Runs in a worker thread: the attackers share this process, and their
 * work must not delay the client's own event loop (that would be measured as the daemon's latency).
 */
const PROBE = `
const { parentPort, workerData: { url, seconds, pid, rssBelow } } = require('node:worker_threads')
const { readFileSync } = require('node:fs')
const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/' + pid + '/status', 'utf8'))[1]) / 1024
// the daemon's CPU time (user + system) in seconds: fields 14 and 15 of /proc/pid/stat, in ticks of 10 ms
const cpu = () => { const f = readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100 }
;(async () => {
  const cpu0 = cpu()
  const lat = { healthz: [], best: [] }
  let rssMax = 0
  let belowAfterS = null
  const start = performance.now()
  while (performance.now() < start + seconds * 1000) {
    for (const [name, path] of [['healthz', '/healthz'], ['best', '/v1/best?task_type=bug_fix']]) {
      const t = performance.now()
      try { await (await fetch(url + path, { signal: AbortSignal.timeout(10000) })).arrayBuffer() } catch { }
      lat[name].push(performance.now() - t)
    }
    const r = rss()
    rssMax = Math.max(rssMax, r)
    if (belowAfterS === null && r <= rssBelow) belowAfterS = (performance.now() - start) / 1000
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  const p99 = xs => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]
  // where the memory is at the end: V8's heap (total reserved, used) and memory outside it (Buffers)
  const metrics = await (await fetch(url + '/metrics')).text()
  const mib = name => Number(new RegExp('^hivebench_' + name + ' ([0-9.e+-]+)', 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20
  const memory = { heapTotal: mib('nodejs_heap_size_total_bytes'), heapUsed: mib('nodejs_heap_size_used_bytes'), external: mib('nodejs_external_memory_bytes') }
  // the longest the daemon's event loop was blocked since the previous scrape (prom-client resets it on each)
  const lagMaxMs = mib('nodejs_eventloop_lag_max_seconds') * 2 ** 20 * 1000
  parentPort.postMessage({ healthz: p99(lat.healthz), best: p99(lat.best), rssMax, rssEnd: rss(), belowAfterS, memory, lagMaxMs, cpuShare: (cpu() - cpu0) / seconds })
})()
`

interface Probe { healthz: number, best: number, rssMax: number, rssEnd: number, belowAfterS: number | null, memory: { heapTotal: number, heapUsed: number, external: number }, lagMaxMs: number, cpuShare: number }

async function probe (url: string, seconds: number, pid: number, rssBelow = 0): Promise<Probe> {
  const worker = new Worker(PROBE, { eval: true, workerData: { url, seconds, pid, rssBelow } })
  try {
    return await new Promise<Probe>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject) })
  } finally {
    await worker.terminate()
  }
}

async function attacker (victim: Victim, syncHandler: SyncHandler = () => []): Promise<HiveNetwork> {
  const net = await createHiveNetwork({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [victim.addr.includes('/p2p/') ? victim.addr : `${victim.addr}/p2p/${victim.peerId}`],
    hive: 'default',
    mdns: false,
    maxMessageBytes: 256 * 1024,
    sync: { maxFrameBytes: MAX_ENVELOPE_BYTES, timeoutMs: 600_000 },
    validate: () => 'ignore',
    onMessage: () => {},
    syncHandler
  })
  await net.start()
  return net
}

const entry = (taskType: string, tool: string, n: number): CounterEntry => ({ taskType, tool, model: '', day: TODAY, ...emptyCounters(), n, pass: n })

interface Attack { name: string, prepare?: (dataDir: string) => Promise<void>, run: (victim: Victim) => Promise<() => Promise<void>> }

const attacks: Attack[] = [
  {
    name: 'sync-responder',
    async prepare (dataDir) {
      // one origin's N deltas of ~1 MB each (12,000 keys with 60-character task types), imported before start
      const key = await generateKeyPair('Ed25519')
      const labels = Array.from({ length: 12_000 }, (_, i) => `task-${String(i).padStart(55, "0")}`)
      const envelopes = Array.from({ length: deltas }, (_, d) => encodeEnvelope({ seq: d + 1, kind: 'delta', createdAtMs: NOW - 60_000, entries: labels.map(l => entry(l, 'x', d + 1)) }, key))
      const file = join(dataDir, '..', 'seed.hbd')
      writeEnvelopeFile(file, envelopes)
      const r = spawnSync(process.execPath, [CLI, 'import-delta', '--data-dir', dataDir, file], { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`import-delta failed (${String(r.status)} ${String(r.signal)}): ${r.stderr}${r.stdout}`)
    },
    async run (victim) {
      const nets = await Promise.all(Array.from({ length: 8 }, async () => await attacker(victim)))
      await sleep(1000)
      // each asks twice (the per-peer bound) and reads no further than the first frame until the
      // attack ends; then the held frames are let go, so the exchanges (and their timers) end
      let release = (): void => {}
      const held = new Promise<void>(resolve => { release = resolve })
      for (const net of nets) for (let i = 0; i < 2; i++) net.requestSync(victim.peerId, encodeSyncRequest({ hive: 'default', digests: [] }), async () => { await held; throw new Error('attack over') }).catch(() => {})
      return async () => {
        release()
        await Promise.all(nets.map(async n => await n.stop()))
      }
    }
  },
  {
    name: 'sync-requester',
    async run (victim) {
      const junk = new Uint8Array(1024 * 1024).fill(0xc1) // 0xc1 is never valid msgpack
      const nets = await Promise.all(Array.from({ length: 16 }, async () => await attacker(victim, function * () { for (let i = 0; i < 61; i++) yield junk })))
      return async () => { await Promise.all(nets.map(async n => await n.stop())) }
    }
  },
  {
    name: 'gossip-flood',
    async run (victim) {
      const envelopes = await Promise.all(Array.from({ length: 6000 }, async () => encodeEnvelope({ seq: 1, kind: 'delta', createdAtMs: Date.now(), entries: [entry('bug_fix', 'flood', 1)] }, await generateKeyPair('Ed25519'))))
      const net = await attacker(victim)
      for (let i = 0; i < 100 && !net.meshPeers().includes(victim.peerId); i++) await sleep(100)
      let stopped = false
      const flooding = (async () => {
        // publish can resolve without a macrotask: yield now and then, or this process's timers starve
        for (let i = 0; !stopped; i = (i + 1) % envelopes.length) {
          await net.publish(at(envelopes, i, 'envelope')).catch(() => {})
          if (i % 50 === 0) await new Promise(resolve => setImmediate(resolve))
        }
      })()
      return async () => { stopped = true; await flooding; await net.stop() }
    }
  },
  {
    name: 'origin-keys',
    async run (victim) {
      const key = await generateKeyPair('Ed25519')
      const envelopes = Array.from({ length: 300 }, (_, d) => encodeEnvelope({ seq: d + 1, kind: 'delta', createdAtMs: Date.now(), entries: Array.from({ length: 1000 }, (_, i) => entry(`k${d}-${i}`, 'x', 1)) }, key))
      const net = await attacker(victim)
      for (let i = 0; i < 100 && !net.meshPeers().includes(victim.peerId); i++) await sleep(100)
      let stopped = false
      const flooding = (async () => {
        for (const envelope of envelopes) {
          if (stopped) break
          await net.publish(envelope).catch(() => {})
          await new Promise(resolve => setImmediate(resolve))
        }
      })()
      return async () => { stopped = true; await flooding; await net.stop() }
    }
  }
]

// what the RSS after is made of, against idle: V8's heap (reserved / used), Buffers outside it, the rest (native: malloc arenas, code, stacks)
const memoryTable = new Table({ head: ['attack', 'RSS idle -> after', 'V8 heap reserved', 'V8 heap used', 'external (Buffers)', 'rest (native)'] })
const arrow = (a: number, b: number): string => `${fmt(a)} -> ${fmt(b)} MiB`
const native = (rss: number, m: Probe['memory']): number => rss - m.heapTotal - m.external
const table = new Table({ head: ['attack', 'RSS idle', 'RSS during (max, x idle)', 'RSS after', 'back within 10%', 'p99 /healthz idle / during / after', 'p99 /v1/best idle / during / after', 'loop blocked max idle / during / after', 'daemon CPU idle / during / after', 'db growth', 'targets'] })
try {
  for (const attack of attacks.filter(a => values.only === undefined || a.name === values.only)) {
    console.error(`${attack.name}: preparing`)
    const dataDir = join(root, attack.name, 'data')
    mkdirSync(join(root, attack.name))
    await attack.prepare?.(dataDir)
    const victim = await startVictim(dataDir)
    const pid = victim.child.pid as number
    const dbBytes = (): number => ['hivebench.db', 'hivebench.db-wal'].reduce((s, f) => { try { return s + statSync(join(dataDir, f)).size } catch { return s } }, 0)
    const idle = await probe(victim.url, IDLE_S, pid)
    const rssIdle = idle.rssEnd
    const db0 = dbBytes()
    const stop = await attack.run(victim)
    console.error(`${attack.name}: attacking`)
    const during = await probe(victim.url, duringS, pid)
    const rssMax = Math.max(rssIdle, during.rssMax)
    await stop()
    const after = await probe(victim.url, afterS, pid, rssIdle * 1.1)
    const backAfterS = after.belowAfterS
    const rssAfter = after.rssEnd
    const ok = during.healthz <= 50 && during.best <= 50 && rssMax <= 2 * rssIdle && backAfterS !== null && backAfterS <= 30
    table.push([attack.name, `${fmt(rssIdle)} MiB`, `${fmt(rssMax)} MiB (${fmt(rssMax / rssIdle, 2)}x)`, `${fmt(rssAfter)} MiB`, backAfterS === null ? `no (in ${afterS} s)` : `${fmt(backAfterS, 1)} s`,
      `${fmt(idle.healthz, 1)} / ${fmt(during.healthz, 1)} / ${fmt(after.healthz, 1)} ms`, `${fmt(idle.best, 1)} / ${fmt(during.best, 1)} / ${fmt(after.best, 1)} ms`,
      `${fmt(idle.lagMaxMs)} / ${fmt(during.lagMaxMs)} / ${fmt(after.lagMaxMs)} ms`, `${fmt(100 * idle.cpuShare)} / ${fmt(100 * during.cpuShare)} / ${fmt(100 * after.cpuShare)} %`,
      `${fmt((dbBytes() - db0) / 2 ** 20, 1)} MiB`, ok ? 'met' : 'MISSED'])
    const [m0, m1] = [idle.memory, after.memory]
    memoryTable.push([attack.name, arrow(rssIdle, rssAfter), arrow(m0.heapTotal, m1.heapTotal), arrow(m0.heapUsed, m1.heapUsed), arrow(m0.external, m1.external), arrow(native(rssIdle, m0), native(rssAfter, m1))])
    console.error(`${attack.name}: done`)
    await stopVictim(victim)
  }
  console.log(`bench:hostile: ${duringS} s of each attack, ${afterS} s after, ${IDLE_S} s idle before; ${deltas} deltas of ~1 MB for sync-responder`)
  console.log(table.toString())
  console.log(memoryTable.toString())
} finally {
  rmSync(root, { recursive: true, force: true })
}
