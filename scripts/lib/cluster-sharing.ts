import { join } from 'node:path'
import type { Traffic } from './cluster-protocol.js'
import { bootstrapTargets, ClusterNode, expectedDegree, mean, percentile, sleep, until } from './cluster.js'
import { at, zip } from './lists.js'

/**
 * Sharing latency and cost under a steady load, with the daemon's own timers (nothing exported
 * by the benchmark): N nodes each record 1 outcome per second for `seconds`; every
 * `probeEveryMs` one node (round robin) records an outcome of a fresh task type `probe-k` and
 * every other node notes when its hive view first holds it. Reported: record-to-visible p50 /
 * p95 over all (probe, node) pairs, the share of pairs seen within the window (+ a grace
 * period), and wire bytes (TCP payload, sent + received) per node, scaled to an hour.
 */
export interface SharingConfig {
  label: string
  nodes: number
  publishDelayS: number
  exportIntervalS: number
  seconds: number
  probeEveryMs: number
  /** after the window: how long outstanding probes may still arrive */
  graceMs: number
}

export interface SharingResult extends SharingConfig {
  pairs: number
  seen: number
  p50Ms: number | null
  p95Ms: number | null
  maxMs: number | null
  bytesPerNodeHour: number
  windowS: number
}

const wireTotal = (t: Traffic): number => t.wireRead + t.wireWritten

export async function runSharing (c: SharingConfig, root: string, scriptDir: string, log: (m: string) => void): Promise<SharingResult> {
  log(`sharing (${c.label}): ${c.nodes} nodes, --publish-delay ${c.publishDelayS}, --export-interval ${c.exportIntervalS}, 1 outcome/s/node for ${c.seconds} s`)
  const nodes = Array.from({ length: c.nodes }, (_, i) => new ClusterNode(`${c.label}/node${i}`, scriptDir))
  try {
    await Promise.all(nodes.map(async x => { await x.ready }))
    for (const [i, node] of nodes.entries()) {
      const res = await node.call('start', {
        dataDir: join(root, `${c.label}-node${i}`),
        bootstrap: bootstrapTargets(i).map(j => at(nodes, j, 'node').addr),
        hive: 'bench',
        exportIntervalS: c.exportIntervalS,
        syncIntervalS: 86_400,
        publishDelayS: c.publishDelayS
      })
      node.addr = res.addr
    }
    await until(`sharing (${c.label}): gossip mesh`, async () => {
      const status = await Promise.all(nodes.map(async x => await x.call('status', {})))
      return status.every((s, i) => s.connected >= expectedDegree(i, c.nodes) && s.topic >= expectedDegree(i, c.nodes) && s.mesh >= Math.min(s.topic, 4))
    }, 60_000, 200)
    const before = await Promise.all(nodes.map(async x => await x.call('traffic', {})))
    const latencies: number[] = []
    let pairs = 0
    const watches: Array<Promise<void>> = []
    const started = Date.now()
    let probe = 0
    let nextProbe = started
    for (let second = 0; Date.now() - started < c.seconds * 1000; second++) {
      const tick = started + second * 1000
      await sleep(Math.max(0, tick - Date.now()))
      const load = nodes.map(async (x, i) => { await x.call('recordOne', { taskType: 'load', tool: `tool${(second + i) % 7}` }) })
      if (Date.now() >= nextProbe) {
        nextProbe += c.probeEveryMs
        const k = probe++
        const taskType = `probe-${k}`
        const origin = k % nodes.length
        const remaining = c.seconds * 1000 - (Date.now() - started) + c.graceMs
        const seenBy = nodes.filter((_, i) => i !== origin).map(async x => await x.call('watchTask', { taskType, timeoutMs: remaining }, remaining + 10_000))
        const recorded = await at(nodes, origin, 'node').call('recordOne', { taskType, tool: 'probe' })
        pairs += seenBy.length
        watches.push(Promise.all(seenBy).then(times => { for (const t of times) if (t.atMs !== null) latencies.push(t.atMs - recorded.atMs) }))
      }
      await Promise.all(load)
    }
    const after = await Promise.all(nodes.map(async x => await x.call('traffic', {})))
    await Promise.all(watches)
    const windowS = mean(zip(after, before).map(([t, t0]) => (t.atMs - t0.atMs) / 1000))
    const bytesPerNodeHour = mean(zip(after, before).map(([t, t0]) => wireTotal(t) - wireTotal(t0))) / windowS * 3600
    const result: SharingResult = {
      ...c,
      pairs,
      seen: latencies.length,
      p50Ms: latencies.length === 0 ? null : percentile(latencies, 0.5),
      p95Ms: latencies.length === 0 ? null : percentile(latencies, 0.95),
      maxMs: latencies.length === 0 ? null : Math.max(...latencies),
      bytesPerNodeHour,
      windowS
    }
    log(`sharing (${c.label}): ${result.seen}/${pairs} seen, p50 ${fmtS(result.p50Ms)}, p95 ${fmtS(result.p95Ms)}, ${(bytesPerNodeHour / 1024 / 1024).toFixed(2)} MiB/node/h`)
    return result
  } finally {
    await Promise.all(nodes.map(async x => { await x.stop() }))
  }
}

const fmtS = (ms: number | null): string => ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`

export function sharingReport (results: SharingResult[]): void {
  console.log('\nSharing latency and cost with the daemon\'s own timers (1 outcome/s/node, record-to-visible over every (probe, other node) pair):')
  console.log('config            nodes  window  probes seen      p50      p95      max   wire bytes/node/h (scaled from the window)')
  for (const r of results) {
    console.log(`${r.label.padEnd(17)} ${String(r.nodes).padStart(5)} ${`${r.windowS.toFixed(0)} s`.padStart(7)} ${`${r.seen}/${r.pairs}`.padStart(12)} ${fmtS(r.p50Ms).padStart(8)} ${fmtS(r.p95Ms).padStart(8)} ${fmtS(r.maxMs).padStart(8)}   ${(r.bytesPerNodeHour / 1024 / 1024).toFixed(2)} MiB`)
  }
  const [a, b, ...more] = results
  if (a !== undefined && b !== undefined && more.length === 0) {
    console.log(`ratio ${a.label} / ${b.label}: bytes ${(a.bytesPerNodeHour / b.bytesPerNodeHour).toFixed(2)}x` +
      (a.p95Ms !== null && b.p95Ms !== null ? `, p95 latency ${(a.p95Ms / b.p95Ms).toFixed(3)}x` : ''))
  }
}
