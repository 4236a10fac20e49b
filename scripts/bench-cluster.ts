import '../src/polyfill.js'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openLocalNode } from '../src/hive/local-node.js'
import { writeEnvelopeFile } from '../src/hive/envelope-file.js'
import { MAX_GOSSIP_BYTES } from '../src/protocol/index.js'
import { seedOutcomes } from './lib/cluster-data.js'
import type { Traffic } from './lib/cluster-protocol.js'
import { bootstrapTargets, ClusterNode, expectedDegree, killAll, mean, percentile, sleep, until } from './lib/cluster.js'
import { report, type ClusterResult, type LateResult, type RoundResult } from './lib/cluster-report.js'
import { runSharing, sharingReport, type SharingResult } from './lib/cluster-sharing.js'
import { at, zip } from './lib/lists.js'
import { NODE_DEFAULTS } from '../src/hive/node.js'

/**
 * npm run bench:cluster -- --nodes N[,N...] [--rounds R] [--keys K[,K...]]
 *
 * N hivebench daemons, each its own process (scripts/cluster-node.js, driven over the fork IPC
 * channel), on 127.0.0.1 only, hive 'bench', mDNS off, each with its own temp data dir; node i
 * bootstraps to nodes (i-1)/2 and i-1 (connected, ~log2 N hops, not a full mesh). Export and
 * sync timers are a day long: only the benchmark exports.
 *
 * 1. Convergence: after the gossip mesh has formed and one unmeasured warm-up round, per round
 *    every node records `outcomes` outcomes over K keys and exports a delta. Each node notes
 *    the moment its view reaches the expected row count and sum of n (checked right after
 *    accepted envelopes); the parent then confirms that every node's sha256 of
 *    exchange.hiveCounters() is identical. Reported: max over nodes of that moment minus the
 *    last export's completion, p50/p95 over rounds, with the CPU time the nodes used.
 * 2. Traffic per node per round: TCP payload bytes of libp2p's sockets (wire) and signed
 *    envelope bytes (application), idle background measured beforehand and subtracted.
 * 3. Late joiner: 20 origins x 1,000 keys, built in this process as one signed snapshot per
 *    origin written to envelope files and imported by 3 member daemons (validated and merged
 *    exactly as if gossiped); then a new daemon bootstrapped to one member: time from its first
 *    connection until its view equals the members' (sync on connect). Nobody exports.
 *
 * Everything is bounded (--timeout-s; every wait has its own limit); children exit when this
 * process exits or dies (IPC disconnect) and remove their data dirs; the temp root is removed.
 * Diagnostics: BENCH_CLUSTER_DEBUG=1 logs per-node timings; BENCH_CLUSTER_NODE_ARGS passes node
 * flags to the children (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); HIVEBENCH_CLUSTER_LOG sets
 * the children's pino level (default silent).
 */

const HELP = `usage: npm run bench:cluster -- --nodes N[,N...] [options]
  --nodes N[,N...]      cluster sizes, one cluster after the other (default 5)
  --rounds R            record+export rounds per cluster and key count (default 5)
  --warmup W            unmeasured rounds before them (default 1; reported apart)
  --keys K[,K...]       keys each node changes per round (default 20)
  --outcomes O          outcomes each node records per round, spread over the K keys (default 50)
  --heartbeat-ms MS     gossipsub heartbeat (default 300)
  --late-origins O      origins in the late-joiner hive (default 20)
  --late-keys K         keys per origin in the late-joiner hive (default 1000)
  --late-members M      daemons holding that hive (default 3)
  --joiners J           late joiners, one after the other (default 3)
  --no-late             skip the late-joiner phase
  --timeout-s S         the whole run stops (and fails) after S seconds (default 900)
  --sharing-s S         instead of the phases above: sharing latency and bytes under 1 outcome/s/node for S s,
                        with the defaults (--publish-delay 10) and then the 300 s timer alone (--publish-delay 0),
                        in clusters of the first --nodes size (e.g. --nodes 20 --sharing-s 310)
  --probe-every-ms MS   sharing phase: one probe outcome every MS ms (default 3000)
  --json                print a JSON summary instead of tables`

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    keys: { type: 'string', default: '20' },
    outcomes: { type: 'string', default: '50' },
    'heartbeat-ms': { type: 'string', default: '300' },
    'late-origins': { type: 'string', default: '20' },
    'late-keys': { type: 'string', default: '1000' },
    'late-members': { type: 'string', default: '3' },
    joiners: { type: 'string', default: '3' },
    'no-late': { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '900' },
    'sharing-s': { type: 'string', default: '0' },
    'probe-every-ms': { type: 'string', default: '3000' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false }
  }
})
if (args.help) {
  console.log(HELP)
  process.exit(0)
}
function ints (name: string, value: string, min: number, max: number): number[] {
  const list = value.split(',').map(s => Number(s.trim()))
  if (list.length === 0 || list.some(x => !Number.isSafeInteger(x) || x < min || x > max)) {
    console.error(`--${name}: expected integers in ${min}..${max} (comma-separated where a list is allowed), got "${value}"\n\n${HELP}`)
    process.exit(2)
  }
  return list
}
const one = (name: string, value: string, min: number, max: number): number => {
  const [only, ...more] = ints(name, value, min, max)
  if (only === undefined || more.length > 0) { console.error(`--${name} takes one value`); process.exit(2) }
  return only
}
const NODES = ints('nodes', args.nodes, 2, 64)
const ROUNDS = one('rounds', args.rounds, 1, 1000)
const WARMUP = one('warmup', args.warmup, 0, 100)
const KEYS = ints('keys', args.keys, 1, 5000)
const OUTCOMES = one('outcomes', args.outcomes, 1, 100_000)
const HEARTBEAT_MS = one('heartbeat-ms', args['heartbeat-ms'], 50, 5000)
const LATE = {
  origins: one('late-origins', args['late-origins'], 1, 1000),
  keys: one('late-keys', args['late-keys'], 1, 16_000),
  members: one('late-members', args['late-members'], 1, 16),
  joiners: one('joiners', args.joiners, 1, 50),
  perKey: 3
}
const TIMEOUT_S = one('timeout-s', args['timeout-s'], 5, 86_400)
const SHARING_S = one('sharing-s', args['sharing-s'], 0, 86_400)
const PROBE_EVERY_MS = one('probe-every-ms', args['probe-every-ms'], 100, 600_000)
const JSON_OUT = args.json
const DEBUG = process.env.BENCH_CLUSTER_DEBUG !== undefined
const CORES = availableParallelism()

const TARGET_CONVERGE_P95_MS = 2_000
const TARGET_JOIN_MS = 2_000
const EXPORT_INTERVAL_S = 86_400
const SYNC_INTERVAL_S = 86_400
const IDLE_MS = 3_000
/** after convergence: gossip (IHAVE over the 3-heartbeat gossip window), IDONTWANT and duplicates settle */
const SETTLE_MS = 4 * HEARTBEAT_MS + 300
const HIVE = 'bench'

const scriptDir = dirname(fileURLToPath(import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'hivebench-cluster-'))
const log = (message: string): void => { process.stderr.write(`[bench:cluster ${new Date().toISOString().slice(11, 19)}] ${message}\n`) }
const cleanup = (): void => {
  killAll()
  rmSync(root, { recursive: true, force: true })
}
const overall = setTimeout(() => {
  log(`overall timeout of ${TIMEOUT_S} s reached: stopping`)
  cleanup()
  process.exit(3)
}, TIMEOUT_S * 1000)
overall.unref()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => { cleanup(); process.exit(130) })
}

const all = async <T>(nodes: ClusterNode[], f: (n: ClusterNode, i: number) => Promise<T>): Promise<T[]> => await Promise.all(nodes.map(f))
const wireTotal = (t: Traffic): number => t.wireRead + t.wireWritten

// ---- phases 1 and 2: convergence and traffic --------------------------------------------------

/** One round: every node records and exports; returns when all views are equal and traffic has settled. */
async function runRound (nodes: ClusterNode[], keys: number, round: number, label: string): Promise<RoundResult> {
  const before = await all(nodes, async x => await x.call('traffic', {}))
  const recorded = await all(nodes, async x => await x.call('record', { keys, outcomes: OUTCOMES, round }))
  // the converged view: every node's own counters everywhere
  const expect = { rows: 0, sumN: 0 }
  for (const rec of recorded) { expect.rows += rec.own.rows; expect.sumN += rec.own.sumN }
  // watches before exports: each child checks its view after accepted envelopes and notes the time of the match
  const watches = nodes.map(async x => await x.call('watch', { expect, timeoutMs: 30_000 }, 35_000))
  watches.forEach(w => { w.catch(() => {}) })
  const exportCmdAt = performance.timeOrigin + performance.now()
  const exports = await all(nodes, async x => await x.call('export', {}))
  const seen = await Promise.all(watches)
  const lastExport = Math.max(...exports.map(e => e.completedAtMs))
  const converged = Math.max(...seen.map(w => w.atMs))
  if (DEBUG) {
    log(`  exports done at +${exports.map(e => (e.completedAtMs - exportCmdAt).toFixed(0)).join(',')} ms; views complete at +${seen.map(w => (w.atMs - exportCmdAt).toFixed(0)).join(',')} ms`)
  }
  await sleep(SETTLE_MS)
  const after = await all(nodes, async x => await x.call('traffic', {}))
  // every view reached the expected row count and sum of n: confirm with the full view hash (sha256 of hiveCounters())
  const views = await all(nodes, async x => await x.call('view', {}))
  if (new Set(views.map(v => v.hash)).size !== 1) throw new Error(`${label}: the views reached the expected row count and sum of n, but their hashes differ`)
  const rejected = after.reduce((sum, t) => sum + Object.entries(t.verdicts).filter(([k]) => k.startsWith('rejected')).reduce((s, [, v]) => s + v, 0), 0)
  if (rejected > 0) throw new Error(`${label}: ${rejected} envelopes were rejected`)
  const pairs = zip(after, before)
  const result: RoundResult = {
    convergeMs: converged - lastExport,
    sinceExportCmdMs: converged - exportCmdAt,
    exportMs: Math.max(...exports.map(e => e.ms)),
    windowS: mean(pairs.map(([t, b]) => (t.atMs - b.atMs) / 1000)),
    wireSent: mean(pairs.map(([t, b]) => t.wireWritten - b.wireWritten)),
    wireRecv: mean(pairs.map(([t, b]) => t.wireRead - b.wireRead)),
    appPublished: mean(pairs.map(([t, b]) => t.appPublished - b.appPublished)),
    appReceived: mean(pairs.map(([t, b]) => t.appReceived - b.appReceived)),
    cpuMs: mean(pairs.map(([t, b]) => t.cpuMs - b.cpuMs)),
    receiveMs: mean(pairs.map(([t, b]) => t.receiveMs - b.receiveMs)),
    entries: exports.reduce((sum, e) => sum + e.entries, 0)
  }
  log(`cluster of ${nodes.length}, ${keys} keys, ${label}: converged ${result.convergeMs.toFixed(1)} ms after the last export; ` +
    `CPU ${result.cpuMs.toFixed(0)} ms/node`)
  return result
}

async function runCluster (n: number): Promise<ClusterResult[]> {
  log(`cluster of ${n}: forking ${n} node processes`)
  const t0 = Date.now()
  const nodes = Array.from({ length: n }, (_, i) => new ClusterNode(`n${n}/node${i}`, scriptDir))
  const results: ClusterResult[] = []
  try {
    await Promise.race([Promise.all(nodes.map(async x => { await x.ready })), sleep(60_000).then(() => { throw new Error('children not ready within 60 s') })])
    for (const [i, node] of nodes.entries()) {
      const res = await node.call('start', {
        dataDir: join(root, `n${n}-node${i}`),
        bootstrap: bootstrapTargets(i).map(j => `${at(nodes, j, 'node').addr}`),
        hive: HIVE,
        heartbeatMs: HEARTBEAT_MS,
        exportIntervalS: EXPORT_INTERVAL_S,
        syncIntervalS: SYNC_INTERVAL_S
      })
      node.addr = res.addr
      node.peerId = res.peerId
    }
    const startMs = Date.now() - t0
    const edges = nodes.reduce((sum, _x, i) => sum + bootstrapTargets(i).length, 0)
    const meshFrom = Date.now()
    await until(`cluster of ${n}: gossip mesh`, async () => {
      const status = await all(nodes, async x => await x.call('status', {}))
      return status.every((s, i) => s.connected >= expectedDegree(i, n) && s.topic >= expectedDegree(i, n) && s.mesh >= Math.min(s.topic, 4))
    }, 30_000, 50)
    const meshMs = Date.now() - meshFrom
    log(`cluster of ${n}: started in ${startMs} ms (${edges} connections), mesh formed ${meshMs} ms later; measuring idle traffic`)

    await sleep(1_000)
    const idle0 = await all(nodes, async x => await x.call('traffic', {}))
    await sleep(IDLE_MS)
    const idle1 = await all(nodes, async x => await x.call('traffic', {}))
    const idleCpuMsPerNodeS = mean(zip(idle1, idle0).map(([t, t0]) => (t.cpuMs - t0.cpuMs) / ((t.atMs - t0.atMs) / 1000)))
    const idleBytesPerNodeS = mean(zip(idle1, idle0).map(([t, t0]) => (wireTotal(t) - wireTotal(t0)) / ((t.atMs - t0.atMs) / 1000)))

    let round = 0
    for (const keys of KEYS) {
      // Warm-up (not measured): the first messages through a fresh process run cold code (JIT);
      // a daemon runs for days, so the measured rounds are the warm ones.
      const warmup: RoundResult[] = []
      for (let r = 0; r < WARMUP; r++) warmup.push(await runRound(nodes, keys, round++, `warm-up ${r + 1}/${WARMUP}`))
      const rounds: RoundResult[] = []
      for (let r = 0; r < ROUNDS; r++) rounds.push(await runRound(nodes, keys, round++, `round ${r + 1}/${ROUNDS}`))
      const status = await all(nodes, async x => await x.call('status', {}))
      const meshDegree = mean(status.map(st => st.mesh))
      results.push({ nodes: n, keys, outcomes: Math.max(keys, OUTCOMES), rounds, warmup, meshMs, startMs, idleBytesPerNodeS, idleCpuMsPerNodeS, edges, meshDegree })
    }
  } finally {
    await Promise.all(nodes.map(async x => { await x.stop() }))
  }
  return results
}

// ---- phase 3: late joiner ---------------------------------------------------------------------

async function runLate (): Promise<LateResult> {
  const seedDir = join(root, 'seed')
  mkdirSync(seedDir)
  log(`late joiner: seeding ${LATE.origins} origins x ${LATE.keys} keys (${LATE.perKey} outcomes per key) as signed snapshot files`)
  const seedFrom = Date.now()
  const files: string[] = []
  let snapshotBytes = 0
  let snapshotEnvelopes = 0
  let snapshotEntries = 0
  const now = Date.now()
  for (let o = 0; o < LATE.origins; o++) {
    const dir = join(root, `origin${o}`)
    const local = await openLocalNode({ dataDir: dir })
    try {
      local.tracker.recordBatch(seedOutcomes(o, LATE.keys, LATE.perKey, now))
      const exported = local.sharing.export('snapshot', MAX_GOSSIP_BYTES)
      if (exported === null) throw new Error('empty snapshot')
      const file = join(seedDir, `origin${o}.envelopes`)
      writeEnvelopeFile(file, exported.envelopes)
      files.push(file)
      snapshotEnvelopes += exported.envelopes.length
      snapshotEntries += exported.entries
      snapshotBytes += exported.envelopes.reduce((sum, e) => sum + e.byteLength, 0)
    } finally {
      local.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const seedMs = Date.now() - seedFrom

  const members = Array.from({ length: LATE.members }, (_, i) => new ClusterNode(`late/member${i}`, scriptDir))
  const joins: LateResult['joins'] = []
  try {
    await Promise.all(members.map(async x => { await x.ready }))
    for (const [i, member] of members.entries()) {
      const res = await member.call('start', {
        dataDir: join(root, `member${i}`),
        bootstrap: bootstrapTargets(i).map(j => at(members, j, 'member').addr),
        hive: HIVE,
        heartbeatMs: HEARTBEAT_MS,
        exportIntervalS: EXPORT_INTERVAL_S,
        syncIntervalS: SYNC_INTERVAL_S
      })
      member.addr = res.addr
      member.peerId = res.peerId
    }
    const first = at(members, 0, 'member')
    const before = await first.call('storage', {})
    log(`late joiner: ${members.length} members import ${files.length} envelope files`)
    const imports = await all(members, async x => await x.call('import', { files }, 120_000))
    if (imports.some(r => r.rejected > 0 || r.accepted === 0)) throw new Error(`import into members: ${JSON.stringify(imports)}`)
    const importMs = Math.max(...imports.map(r => r.ms))
    const views = await all(members, async x => await x.call('view', {}))
    if (new Set(views.map(v => v.hash)).size !== 1) throw new Error('members hold different hive views after the import')
    const reference = at(views, 0, 'view')
    const after = await first.call('storage', {})

    for (let j = 0; j < LATE.joiners; j++) {
      const member = at(members, j % members.length, 'member')
      const joiner = new ClusterNode(`late/joiner${j}`, scriptDir)
      try {
        await joiner.ready
        const started = await joiner.call('start', {
          dataDir: join(root, `joiner${j}`),
          bootstrap: [member.addr],
          hive: HIVE,
          heartbeatMs: HEARTBEAT_MS,
          exportIntervalS: EXPORT_INTERVAL_S,
          syncIntervalS: SYNC_INTERVAL_S,
          join: { rows: reference.rows, sumN: reference.sumN }
        })
        const done = await joiner.call('join', { timeoutMs: 60_000 }, 65_000)
        if (done.hash !== reference.hash) throw new Error(`joiner ${j}: view hash ${done.hash} differs from the members' ${reference.hash}`)
        joins.push({
          connectToConvergedMs: done.convergedAtMs - done.connectedAtMs,
          startToConvergedMs: done.convergedAtMs - started.startCalledAtMs,
          syncTransferMs: done.syncStartedAtMs === null || done.syncFramesAtMs === null ? null : done.syncFramesAtMs - done.syncStartedAtMs,
          mergeMs: done.syncFramesAtMs === null ? null : done.convergedAtMs - done.syncFramesAtMs,
          hashMs: done.hashMs,
          wireRecv: done.traffic.wireRead,
          syncBytes: done.traffic.syncReceived,
          envelopes: done.traffic.verdicts.accepted ?? 0
        })
        log(`late joiner ${j + 1}/${LATE.joiners} (bootstrapped to member ${j % members.length}): converged ${(done.convergedAtMs - done.connectedAtMs).toFixed(1)} ms after connecting`)
      } finally {
        await joiner.stop()
      }
    }
    return { origins: LATE.origins, keysPerOrigin: LATE.keys, seedMs, snapshotBytes, snapshotEnvelopes, snapshotEntries, importMs, joins, storage: { before, after }, viewRows: reference.rows }
  } finally {
    await Promise.all(members.map(async x => { await x.stop() }))
  }
}

// ---- main -------------------------------------------------------------------------------------

async function sharingOnly (): Promise<void> {
  const common = { nodes: at(NODES, 0, '--nodes value'), seconds: SHARING_S, probeEveryMs: PROBE_EVERY_MS, graceMs: 15_000 }
  const results: SharingResult[] = [
    await runSharing({ ...common, label: 'defaults', publishDelayS: NODE_DEFAULTS.publishDelayS, exportIntervalS: NODE_DEFAULTS.exportIntervalS }, root, scriptDir, log),
    await runSharing({ ...common, label: '300 s timer only', publishDelayS: 0, exportIntervalS: 300 }, root, scriptDir, log)
  ]
  if (JSON_OUT) console.log(JSON.stringify({ sharing: results }))
  else {
    console.log(`hivebench bench:cluster --sharing-s ${SHARING_S}  (${common.nodes} node processes on 127.0.0.1, ${CORES} CPU cores, default gossipsub heartbeat)`)
    sharingReport(results)
  }
}

async function phases (): Promise<void> {
  const clusters: ClusterResult[] = []
  for (const n of NODES) clusters.push(...await runCluster(n))
  const late = args['no-late'] ? null : await runLate()
  if (JSON_OUT) {
    console.log(JSON.stringify({
      clusters: clusters.map(c => ({
        ...c,
        p50Ms: percentile(c.rounds.map(r => r.convergeMs), 0.5),
        p95Ms: percentile(c.rounds.map(r => r.convergeMs), 0.95)
      })),
      late
    }))
  } else {
    console.log(`hivebench bench:cluster  (${NODES.join(', ')} node processes on 127.0.0.1, ${CORES} CPU cores, hive '${HIVE}', gossipsub heartbeat ` +
      `${HEARTBEAT_MS} ms; per node per round ${OUTCOMES} outcomes over ${KEYS.join(' / ')} keys; ${WARMUP} warm-up + ${ROUNDS} measured rounds)`)
    report(clusters, late, { cores: CORES, rounds: ROUNDS, idleMs: IDLE_MS, lateMembers: LATE.members, latePerKey: LATE.perKey, targetConvergeP95Ms: TARGET_CONVERGE_P95_MS, targetJoinMs: TARGET_JOIN_MS })
  }
}

let exitCode = 0
try {
  await (SHARING_S > 0 ? sharingOnly() : phases())
} catch (err) {
  log(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
  exitCode = 1
} finally {
  clearTimeout(overall)
  cleanup()
}
process.exit(exitCode)
