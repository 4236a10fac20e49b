import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { calibrate, syncRequestBytes, type EnvelopeSample } from './lib/scale-calibrate.js'
import { GOSSIPSUB_DEFAULTS, simulateGossip, type ModelMessage } from './lib/scale-gossip.js'
import { fmt, rng } from './lib/measure.js'
import { plainTable } from './lib/plain-table.js'

/**
 * npm run bench:scale — gossip fan-out and sync of a hive of `--nodes` nodes, each recording one
 * outcome per second and exporting a delta every `--export-interval` s (a snapshot every
 * `--snapshot-every`th export), in one process. Measured on this machine: envelope bytes (the
 * real encoder on real outcomes), receive cost (the real validate + merge path), sync request
 * bytes (the real digest encoder on real peer ids). Modelled: gossipsub's mesh, IDONTWANT,
 * IHAVE/IWANT and seen-cache dedup over a random graph (scripts/lib/scale-gossip.ts), for a
 * sample of `--messages` messages published at the hive's rate; per-hour figures scale the
 * per-message cost by the hive's message rate. The last row extrapolates to `--extrapolate` nodes.
 */
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '200' },
    messages: { type: 'string', default: '120' },
    'export-interval': { type: 'string', default: '300' },
    'snapshot-every': { type: 'string', default: '12' },
    'sync-interval': { type: 'string', default: '60' },
    'models-per-node': { type: 'string', default: '3' },
    samples: { type: 'string', default: '6' },
    extrapolate: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    csv: { type: 'string', default: new URL('../../../shared/data/swebench-verified-bash-only.csv', import.meta.url).pathname }
  }
})
const int = (name: keyof typeof values): number => {
  const v = Number(values[name])
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`--${name} must be a positive integer\nusage: npm run bench:scale -- [--nodes 1000] [--messages 120] [--export-interval 300] [--snapshot-every 12] [--sync-interval 60] [--models-per-node 3] [--samples 6] [--extrapolate 10000] [--seed 1]`)
    process.exit(2)
  }
  return v
}
const N = int('nodes')
const M = int('messages')
const intervalS = int('export-interval')
const snapshotEvery = int('snapshot-every')
const syncIntervalS = int('sync-interval')
const X = int('extrapolate')
const seed = int('seed')
const NOW = Date.now()
const dir = mkdtempSync(join(tmpdir(), 'hivebench-bench-scale-'))
const MiB = 1024 * 1024

try {
  const c0 = performance.now()
  const cal = await calibrate({ csv: values.csv as string, dir, samples: int('samples'), intervalS, modelsPerNode: int('models-per-node'), historyDays: 90, outcomesPerHistoryDay: 100, nowMs: NOW, seed })
  const calibrationS = (performance.now() - c0) / 1000
  const avg = (xs: EnvelopeSample[], f: (s: EnvelopeSample) => number): number => xs.reduce((a, s) => a + f(s), 0) / xs.length

  // The message sample: origins at random, at the hive's rate (N / intervalS per second).
  const random = rng(seed + 1)
  const messages: ModelMessage[] = Array.from({ length: M }, (_, i) => {
    const pool = random() < 1 / snapshotEvery ? cal.snapshots : cal.deltas
    const s = pool[Math.floor(random() * pool.length)]
    return { origin: Math.floor(random() * N), atMs: i * intervalS * 1000 / N, bytes: s.bytes, entries: s.entries }
  })
  const processUs = (m: ModelMessage): number => cal.perEnvelopeUs + cal.perEntryUs * m.entries
  const s0 = performance.now()
  const result = simulateGossip({ ...GOSSIPSUB_DEFAULTS, nodes: N, seed, processUs, duplicateUs: m => cal.hashUsPerByte * m.bytes }, messages)
  const simS = (performance.now() - s0) / 1000

  // Per message and node, then per hour at the hive's message rate.
  const messagesPerHour = (n: number): number => n * 3600 / intervalS
  const perMsg = (f: (t: typeof result.nodes[number]) => number): number => result.nodes.reduce((a, t) => a + f(t), 0) / N / M
  const rxPerMsg = perMsg(t => t.rxBytes)
  const txPerMsg = perMsg(t => t.txBytes)
  const cpuPerMsg = perMsg(t => t.cpuUs)
  const dupPerMsg = perMsg(t => t.duplicates)
  const conv = result.convergenceMs.filter(Number.isFinite).sort((a, b) => a - b)
  const unconverged = result.convergenceMs.length - conv.length
  const q = (p: number): number => conv[Math.min(conv.length - 1, Math.floor(p * conv.length))]
  const meanMsgBytes = messages.reduce((a, m) => a + m.bytes, 0) / M
  const exportCpuPerHourUs = cal.exportDeltaUs * 3600 / intervalS

  const syncN = await syncRequestBytes(N, snapshotEvery, 'bench')
  const syncX = await syncRequestBytes(X, snapshotEvery, 'bench')
  // each node sends one request per sync interval and, on average, answers one
  const syncPerHour = (bytes: number): number => 2 * bytes * 3600 / syncIntervalS

  const row = (n: number, sync: { bytes: number, pages: number }, convergence: string, source: string): string[] => {
    const gossip = (rxPerMsg + txPerMsg) / 2 * messagesPerHour(n)
    const cpuUs = cpuPerMsg * messagesPerHour(n) + exportCpuPerHourUs
    return [
      fmt(n),
      `${fmt(gossip / MiB, 0)} MiB (${fmt(gossip / 3600 / 1024, 1)} KiB/s)`,
      `${fmt(syncPerHour(sync.bytes) / MiB, 0)} MiB (${fmt(sync.bytes / 1024, 0)} KiB x ${sync.pages} page${sync.pages > 1 ? 's' : ''})`,
      `${fmt(cpuUs / 3.6e9 * 100, 2)}%`,
      convergence,
      source
    ]
  }

  console.log(`hivebench bench:scale  (${fmt(N)} nodes, ${M} messages sampled; 1 outcome/s/node, a delta every ${intervalS} s, a snapshot every ${snapshotEvery} exports, sync every ${syncIntervalS} s)\n`)
  const measured = plainTable(['measured on this machine', 'value'])
  measured.push(
    ['delta envelope (mean)', `${fmt(avg(cal.deltas, s => s.bytes))} B, ${fmt(avg(cal.deltas, s => s.entries), 1)} entries (${cal.deltas.length} real deltas)`],
    ['snapshot envelope, 90 days of keys (mean)', `${fmt(avg(cal.snapshots, s => s.bytes))} B, ${fmt(avg(cal.snapshots, s => s.entries))} entries (${cal.snapshots.length} real snapshots)`],
    ['mean message on the wire (mix of both)', `${fmt(meanMsgBytes)} B`],
    ['receive (decode, verify, validate, merge): delta / snapshot', `${fmt(avg(cal.deltas, s => s.receiveUs))} / ${fmt(avg(cal.snapshots, s => s.receiveUs))} µs per envelope`],
    ['  fitted', `${fmt(cal.perEnvelopeUs)} µs per envelope + ${fmt(cal.perEntryUs, 2)} µs per entry`],
    ['export of one delta (read, encode, sign, store)', `${fmt(cal.exportDeltaUs)} µs`],
    ['sha256 message id (a duplicate\'s cost)', `${fmt(cal.hashUsPerByte * 1024, 2)} µs per KiB`],
    [`sync request, ${fmt(N)} / ${fmt(X)} origins`, `${fmt(syncN.bytes)} B / ${fmt(syncX.bytes)} B (${syncX.pages} pages)`],
    ['calibration / simulation wall time', `${fmt(calibrationS, 1)} s / ${fmt(simS, 1)} s`]
  )
  console.log(measured.toString())

  const model = plainTable(['modelled (gossipsub D=6, D_lazy=6, IDONTWANT, IHAVE/IWANT, seenTTL 120 s)', 'value'])
  model.push(
    ['messages reaching every node', `${fmt(M - unconverged)} of ${fmt(M)}`],
    ['convergence (publish -> last node validated) p50 / p99 / max', `${fmt(q(0.5))} / ${fmt(q(0.99))} / ${fmt(conv[conv.length - 1])} ms`],
    ['per message and node: received / sent', `${fmt(rxPerMsg)} / ${fmt(txPerMsg)} B (${fmt(rxPerMsg / meanMsgBytes, 2)}x the message)`],
    ['per message and node: duplicates dropped', fmt(dupPerMsg, 2)],
    ['bytes by kind: message / IHAVE / IWANT / IDONTWANT', ['message', 'ihave', 'iwant', 'idontwant'].map(k => `${fmt(100 * result.bytesByKind[k as keyof typeof result.bytesByKind] / Object.values(result.bytesByKind).reduce((a, b) => a + b, 0), 1)}%`).join(' / ')]
  )
  console.log(model.toString())

  const hops = Math.log(X) / Math.log(N)
  const table = plainTable(['hive', 'gossip per node per hour', 'sync per node per hour', 'CPU per node (one core)', 'convergence p99', 'source'])
  table.push(
    row(N, syncN, `${fmt(q(0.99))} ms`, 'simulated'),
    row(X, syncX, `~${fmt(q(0.99) * hops)} ms`, 'extrapolated: per-message cost x message rate; sync measured; convergence x log N')
  )
  console.log(table.toString())
} finally {
  rmSync(dir, { recursive: true, force: true })
}
