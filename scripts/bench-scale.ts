import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { calibrate, syncRequestBytes, type EnvelopeSample } from './lib/scale-calibrate.js'
import { GOSSIPSUB_DEFAULTS, simulateGossip, type ModelMessage } from './lib/scale-gossip.js'
import { at } from './lib/lists.js'
import { fmt, rng } from './lib/measure.js'
import { plainTable } from './lib/plain-table.js'

/**
 * npm run bench:scale — gossip fan-out and sync of a hive of `--nodes` nodes, each recording one
 * outcome per second and scheduled as the node's exporter is (src/hive/exporter.ts): a delta of
 * its changes every `--publish-delay` s, and a periodic export every `--export-interval` s whose
 * every `--snapshot-every`th is a snapshot (the periodic deltas between find the changes already
 * published, and send nothing); with `--publish-delay 0`, every periodic export carries a delta.
 * In one process. Measured on this machine: envelope bytes (the
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
    'publish-delay': { type: 'string', default: '10' },
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
    console.error(`--${name} must be a positive integer\nusage: npm run bench:scale -- [--nodes 1000] [--messages 120] [--publish-delay 10] [--export-interval 300] [--snapshot-every 12] [--sync-interval 60] [--models-per-node 3] [--samples 6] [--extrapolate 10000] [--seed 1]`)
    process.exit(2)
  }
  return v
}
const N = int('nodes')
const M = int('messages')
const publishDelayS = Number(values['publish-delay'])
if (!Number.isInteger(publishDelayS) || publishDelayS < 0) int('publish-delay')
const intervalS = int('export-interval')
const snapshotEvery = int('snapshot-every')
// messages per node per second, by kind
const snapshotRate = 1 / (intervalS * snapshotEvery)
const deltaEveryS = publishDelayS > 0 ? publishDelayS : intervalS
const deltaRate = publishDelayS > 0 ? 1 / publishDelayS : (1 - 1 / snapshotEvery) / intervalS
const syncIntervalS = int('sync-interval')
const X = int('extrapolate')
const seed = int('seed')
const NOW = Date.now()
const dir = mkdtempSync(join(tmpdir(), 'hivebench-bench-scale-'))
const MiB = 1024 * 1024

try {
  const c0 = performance.now()
  const cal = await calibrate({ csv: values.csv as string, dir, samples: int('samples'), intervalS: deltaEveryS, modelsPerNode: int('models-per-node'), historyDays: 90, outcomesPerHistoryDay: 100, nowMs: NOW, seed })
  const calibrationS = (performance.now() - c0) / 1000
  const avg = (xs: EnvelopeSample[], f: (s: EnvelopeSample) => number): number => xs.reduce((a, s) => a + f(s), 0) / xs.length

  // Two samples, one per kind (a snapshot is 1 message in ~360 at the defaults: a mixed sample
  // would hold none), each published at the hive's rate of that kind (N x rate per second);
  // per-hour figures weight each kind's per-message cost by its rate.
  const random = rng(seed + 1)
  const processUs = (m: ModelMessage): number => cal.perEnvelopeUs + cal.perEntryUs * m.entries
  const s0 = performance.now()
  const simulate = (pool: EnvelopeSample[], count: number, perNodeRate: number): ReturnType<typeof simulateGossip> & { messages: ModelMessage[] } => {
    const messages: ModelMessage[] = Array.from({ length: count }, (_, i) => {
      const s = at(pool, Math.floor(random() * pool.length), 'envelope sample')
      return { origin: Math.floor(random() * N), atMs: i * 1000 / (N * perNodeRate), bytes: s.bytes, entries: s.entries }
    })
    return { ...simulateGossip({ ...GOSSIPSUB_DEFAULTS, nodes: N, seed, processUs, duplicateUs: m => cal.hashUsPerByte * m.bytes }, messages), messages }
  }
  const deltaRun = simulate(cal.deltas, M, deltaRate)
  const snapshotRun = simulate(cal.snapshots, Math.max(1, Math.round(M / 4)), snapshotRate)
  const simS = (performance.now() - s0) / 1000

  type Run = typeof deltaRun
  const perMsg = (r: Run, f: (t: Run['nodes'][number]) => number): number => r.nodes.reduce((a, t) => a + f(t), 0) / N / r.messages.length
  const perHourPerNode = (f: (t: Run['nodes'][number]) => number, n: number): number =>
    n * 3600 * (deltaRate * perMsg(deltaRun, f) + snapshotRate * perMsg(snapshotRun, f))
  const conv = (r: Run): { q: (p: number) => number, unconverged: number } => {
    const c = r.convergenceMs.filter(Number.isFinite).sort((a, b) => a - b)
    return { q: p => c[Math.min(c.length - 1, Math.floor(p * c.length))] ?? Number.NaN, unconverged: r.convergenceMs.length - c.length }
  }
  const dConv = conv(deltaRun)
  const sConv = conv(snapshotRun)
  const exportCpuPerHourUs = cal.exportDeltaUs * 3600 * deltaRate
  const bytesOf = (r: Run): number => r.messages.reduce((a, m) => a + m.bytes, 0) / r.messages.length

  const syncN = await syncRequestBytes(N, snapshotEvery, 'bench')
  const syncX = await syncRequestBytes(X, snapshotEvery, 'bench')
  // each node sends one request per sync interval and, on average, answers one
  const syncPerHour = (bytes: number): number => 2 * bytes * 3600 / syncIntervalS

  const row = (n: number, sync: { bytes: number, pages: number }, convergence: string, source: string): string[] => {
    const gossip = perHourPerNode(t => (t.rxBytes + t.txBytes) / 2, n)
    const cpuUs = perHourPerNode(t => t.cpuUs, n) + exportCpuPerHourUs
    return [
      fmt(n),
      `${fmt(gossip / MiB, 0)} MiB (${fmt(gossip / 3600 / 1024, 1)} KiB/s)`,
      `${fmt(syncPerHour(sync.bytes) / MiB, 0)} MiB (${fmt(sync.bytes / 1024, 0)} KiB x ${sync.pages} page${sync.pages > 1 ? 's' : ''})`,
      `${fmt(cpuUs / 3.6e9 * 100, 2)}%`,
      convergence,
      source
    ]
  }

  console.log(`hivebench bench:scale  (${fmt(N)} nodes, ${M} messages sampled; 1 outcome/s/node, a delta every ${deltaEveryS} s, a snapshot every ${intervalS * snapshotEvery} s, sync every ${syncIntervalS} s)\n`)
  const measured = plainTable(['measured on this machine', 'value'])
  measured.push(
    ['delta envelope (mean)', `${fmt(avg(cal.deltas, s => s.bytes))} B, ${fmt(avg(cal.deltas, s => s.entries), 1)} entries (${cal.deltas.length} real deltas)`],
    ['snapshot envelope, 90 days of keys (mean)', `${fmt(avg(cal.snapshots, s => s.bytes))} B, ${fmt(avg(cal.snapshots, s => s.entries))} entries (${cal.snapshots.length} real snapshots)`],
    ['messages per node per hour', `${fmt(deltaRate * 3600, 1)} deltas + ${fmt(snapshotRate * 3600, 2)} snapshots`],
    ['entries merged per node per second, at ' + fmt(N) + ' / ' + fmt(X) + ' nodes', [N, X].map(n => fmt(n * (deltaRate * avg(cal.deltas, s => s.entries) + snapshotRate * avg(cal.snapshots, s => s.entries)))).join(' / ')],
    ['receive (decode, verify, validate, merge): delta / snapshot', `${fmt(avg(cal.deltas, s => s.receiveUs))} / ${fmt(avg(cal.snapshots, s => s.receiveUs))} µs per envelope`],
    ['  fitted', `${fmt(cal.perEnvelopeUs)} µs per envelope + ${fmt(cal.perEntryUs, 2)} µs per entry`],
    ['export of one delta (read, encode, sign, store)', `${fmt(cal.exportDeltaUs)} µs`],
    ['sha256 message id (a duplicate\'s cost)', `${fmt(cal.hashUsPerByte * 1024, 2)} µs per KiB`],
    [`sync request, ${fmt(N)} / ${fmt(X)} origins`, `${fmt(syncN.bytes)} B / ${fmt(syncX.bytes)} B (${syncX.pages} pages)`],
    ['calibration / simulation wall time', `${fmt(calibrationS, 1)} s / ${fmt(simS, 1)} s`]
  )
  console.log(measured.toString())

  const model = plainTable(['modelled (gossipsub D=6, D_lazy=6, IDONTWANT, IHAVE/IWANT, seenTTL 120 s)', 'deltas', 'snapshots'])
  const both = (f: (r: Run) => string): string[] => [f(deltaRun), f(snapshotRun)]
  model.push(
    ['messages sampled / reaching every node', ...both(r => `${fmt(r.messages.length)} / ${fmt(r.messages.length - conv(r).unconverged)}`)],
    ['convergence (publish -> last node validated) p50 / p99 / max', ...[dConv, sConv].map(c => `${fmt(c.q(0.5))} / ${fmt(c.q(0.99))} / ${fmt(c.q(1))} ms`)],
    ['per message and node: received (= sent on average)', ...both(r => `${fmt(perMsg(r, t => t.rxBytes))} B (${fmt(perMsg(r, t => t.rxBytes) / bytesOf(r), 2)}x the message)`)],
    ['per message and node: duplicates dropped', ...both(r => fmt(perMsg(r, t => t.duplicates), 2))],
    ['bytes by kind: message / IHAVE / IWANT / IDONTWANT', ...both(r => ['message', 'ihave', 'iwant', 'idontwant'].map(k => `${fmt(100 * r.bytesByKind[k as keyof typeof r.bytesByKind] / Object.values(r.bytesByKind).reduce((a, b) => a + b, 0), 1)}%`).join(' / '))]
  )
  console.log(model.toString())

  const hops = Math.log(X) / Math.log(N)
  const table = plainTable(['hive', 'gossip per node per hour', 'sync per node per hour', 'CPU per node (one core)', 'convergence p99', 'source'])
  table.push(
    row(N, syncN, `${fmt(dConv.q(0.99))} ms`, 'simulated'),
    row(X, syncX, `~${fmt(dConv.q(0.99) * hops)} ms`, 'extrapolated: per-message cost x message rate; sync measured; convergence x log N')
  )
  console.log(table.toString())
} finally {
  rmSync(dir, { recursive: true, force: true })
}
