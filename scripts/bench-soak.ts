import '../src/polyfill.js'
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import Table from 'cli-table3'
import { NODE_DEFAULTS, type HiveNode } from '../src/hive/node.js'
import { createDaemon, type Daemon } from '../src/daemon.js'
import { fmt, rng } from './lib/measure.js'

/**
 * npm run bench:soak -- [--duration S] [--rate R] [--export-interval S]: a 3-node hive on
 * 127.0.0.1 in one process, each node taking R outcomes/s over its HTTP API (single POSTs with
 * unique ids) and exporting every few seconds, for a bounded time (default 5 min); then checks
 * that all three hive views are identical and complete (no lost, no duplicated outcome) and
 * prints outcomes, RSS over time, file sizes and event-loop lag.
 */
const { values } = parseArgs({ options: { duration: { type: 'string', default: '300' }, rate: { type: 'string', default: '100' }, 'export-interval': { type: 'string', default: '10' } } })
const durationS = Number(values.duration)
const rate = Number(values.rate)
const exportIntervalS = Number(values['export-interval'])
const random = rng(5)
const root = mkdtempSync(join(tmpdir(), 'hivebench-soak-'))
const logger = pino({ level: 'warn' })
const nodes: HiveNode[] = []
const daemons: Daemon[] = []
const hardStop = setTimeout(() => { console.error('soak: overall timeout, stopping'); process.exit(2) }, (durationS + 120) * 1000)

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const dirBytes = (dir: string): number => readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0)

try {
  for (let i = 0; i < 3; i++) {
    const daemon = await createDaemon({
      workBits: 0, // throwaway identities of a simulated hive: R24 (identity work) off
      ...NODE_DEFAULTS,
      dataDir: join(root, `node${i}`),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: nodes.flatMap(n => n.network.multiaddrs().slice(0, 1)),
      exportIntervalS,
      syncIntervalS: 30,
      logger,
      http: { host: '127.0.0.1', port: 0 }
    })
    await daemon.start()
    daemons.push(daemon)
    nodes.push(daemon.node)
  }
  const urls = daemons.map(d => d.http.address()?.url ?? '')
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const acknowledged = [0, 0, 0]
  let failed = 0
  const rss: Array<{ s: number, bytes: number }> = []
  const started = Date.now()
  const sampler = setInterval(() => { rss.push({ s: (Date.now() - started) / 1000, bytes: process.memoryUsage().rss }) }, 5000)
  const start = { s: 0, bytes: process.memoryUsage().rss }
  rss.push(start)

  // Fixed-rate load: every 100 ms each node gets rate/10 single-outcome POSTs.
  let seq = 0
  const tick = async (): Promise<void> => {
    await Promise.all(urls.map(async (url, i) => {
      for (let k = 0; k < rate / 10; k++) {
        const id = `soak-${i}-${seq++}`
        const body = { id, task_type: `task_${Math.floor(random() * 5)}`, tool: `tool_${Math.floor(random() * 6)}`, model: `m${Math.floor(random() * 3)}`, success: random() < 0.6, duration_s: 1 + random() * 120, cost_usd: random() / 10 }
        const res = await fetch(`${url}/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        if (res.status === 201) acknowledged[i] = (acknowledged[i] ?? 0) + 1
        else failed++
      }
    }))
  }
  while (Date.now() - started < durationS * 1000) {
    const t0 = Date.now()
    await tick()
    await new Promise(resolve => setTimeout(resolve, Math.max(0, 100 - (Date.now() - t0))))
  }
  clearInterval(sampler)
  const end = { s: (Date.now() - started) / 1000, bytes: process.memoryUsage().rss }
  rss.push(end)
  lag.disable()

  // Final exports, then wait until every view holds every acknowledged outcome.
  await Promise.all(nodes.map(async n => await n.exporter.exportNow()))
  const total = acknowledged.reduce((a, b) => a + b, 0)
  const hiveN = (n: HiveNode): number => n.local.tracker.store.exchange.hiveCounters().reduce((s, r) => s + r.entry.n, 0)
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline && !nodes.every(n => hiveN(n) === total)) await new Promise(resolve => setTimeout(resolve, 100))
  const views = nodes.map(n => JSON.stringify(n.local.tracker.store.exchange.hiveCounters(), (_, v: unknown) => v instanceof Map ? [...v] : v))
  const identical = views.every(v => v === views[0])
  const complete = nodes.every(n => hiveN(n) === total)
  const localOk = nodes.every((n, i) => n.local.tracker.store.localCounters().reduce((s, e) => s + e.n, 0) === acknowledged[i])

  const warm = rss.find(r => r.s >= durationS * 0.2) ?? start
  const table = new Table({ head: ['figure', 'value', 'note'], style: { head: [], border: [] } })
  table.push(
    ['duration, load', `${durationS} s, ${rate} outcomes/s per node`, `single POSTs with unique ids, export every ${exportIntervalS} s`],
    ['outcomes acknowledged', fmt(total), `${failed} requests failed`],
    ['RSS: start / after warm-up / end', `${mib(start.bytes)} / ${mib(warm.bytes)} / ${mib(end.bytes)}`, `end / after warm-up = ${(end.bytes / warm.bytes).toFixed(2)} (target within 1.20)`],
    ['event-loop lag p50 / p99 / max', `${(lag.percentile(50) / 1e6).toFixed(1)} / ${(lag.percentile(99) / 1e6).toFixed(1)} / ${(lag.max / 1e6).toFixed(1)} ms`, 'three nodes and the load generator share one event loop'],
    ['data dir sizes', nodes.map(n => mib(dirBytes(n.local.tracker.store.dataDir))).join(' / '), 'database + WAL + keys'],
    ['hive views identical', identical ? 'yes' : 'NO', ''],
    ['hive views complete', complete ? `yes (n = ${fmt(total)} on every node)` : `NO (${nodes.map(hiveN).join(' / ')} of ${total})`, 'no lost or duplicated outcome'],
    ['local counters = acknowledged', localOk ? 'yes' : 'NO', '']
  )
  console.log('hivebench bench:soak  (3 nodes on 127.0.0.1, one process)\n')
  console.log(table.toString())
  console.log('RSS over time (MiB): ' + rss.map(r => `${r.s.toFixed(0)}s ${(r.bytes / 2 ** 20).toFixed(0)}`).join(', '))
  if (!identical || !complete || !localOk || failed > 0) process.exitCode = 1
} finally {
  for (const d of daemons.reverse()) await d.stop()
  rmSync(root, { recursive: true, force: true })
  clearTimeout(hardStop)
}
