import { join } from 'node:path'
import { pino } from 'pino'
import { createHiveNode, NODE_DEFAULTS, type HiveNode } from '../../src/hive/node.js'
import { at } from './lists.js'
import { verdictName, type ExchangeReport, type ReplayHive } from './replay-hive.js'

/**
 * --live: N real daemons (libp2p TCP + noise + yamux + gossipsub, sync protocol) on 127.0.0.1 in
 * this process. Node 1 is the hub every other node bootstraps to (and to its predecessor), so the
 * hive is connected without mDNS. Each round every node exports a delta now (exporter.exportNow:
 * gossip publish); the round ends once every node's hive holds every recorded outcome, whatever
 * mix of gossip and sync (every second, with a random connected peer) carried them.
 */
export async function openLiveHive (o: { nodes: number, dataDir: string, log: (line: string) => void, timeoutMs?: number }): Promise<ReplayHive> {
  const timeoutMs = o.timeoutMs ?? 120_000
  const nodes: HiveNode[] = []
  const counters = { published: 0, delivered: 0, envelopes: 0, verdicts: {} as Record<string, number> }
  const close = async (): Promise<void> => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) }
  const logger = pino({ level: 'silent' })
  const started = Date.now()
  try {
    for (let i = 0; i < o.nodes; i++) {
      const bootstrap = [...new Set([nodes[0], nodes[i - 1]].filter(n => n !== undefined).map(addressOf))]
      const node = await createHiveNode({
        workBits: 0, // throwaway identities of a simulated hive: R24 (identity work) off
        ...NODE_DEFAULTS,
        dataDir: join(o.dataDir, `node-${i + 1}`),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap,
        hive: 'replay',
        mdns: false,
        exportIntervalS: 3600,
        syncIntervalS: 1,
        heartbeatIntervalMs: 200,
        logger
      })
      // Count envelope bytes where the application sees them: what the exporter signs and what
      // reaches this node's validator (gossip and sync alike, duplicates included).
      const sharing = node.local.sharing
      const exportFn = sharing.export
      const receiver = node.local.receiver
      const receiveFn = receiver.receive
      sharing.export = (kind, maxBytes) => {
        const result = exportFn(kind, maxBytes)
        for (const e of result?.envelopes ?? []) { counters.published += e.length; counters.envelopes++ }
        return result
      }
      receiver.receive = (bytes, source) => {
        const verdict = receiveFn(bytes, source)
        counters.delivered += bytes.length
        const name = verdictName(verdict)
        counters.verdicts[name] = (counters.verdicts[name] ?? 0) + 1
        return verdict
      }
      nodes.push(node)
      await node.start()
    }
    if (o.nodes > 1) {
      await until(() => nodes.every((n, i) => n.network.topicPeers().length >= (i === 0 ? o.nodes - 1 : 1)), timeoutMs, 'the gossip topic to reach every node')
    }
    o.log(`live hive: ${o.nodes} daemons on 127.0.0.1 connected in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } catch (err) {
    await close()
    throw err
  }

  let recorded = 0
  const hiveTotal = (n: HiveNode): number => n.local.tracker.store.exchange.hiveCounters().reduce((s, r) => s + r.entry.n, 0)
  // cheap test first (a few rows per node): every node has seen every origin's latest seq; only
  // then the exact one, which reads every counter row and would stall the event loop if polled
  const seqsSeen = (): boolean => {
    const latest = new Map(nodes.map(n => [n.network.peerId, n.local.tracker.store.exchange.origins().find(x => x.self)?.lastSeq ?? 0]))
    return nodes.every(n => {
      const seen = new Map(n.local.tracker.store.exchange.origins().map(x => [x.peerId, x.lastSeq]))
      return [...latest].every(([peer, seq]) => (seen.get(peer) ?? 0) >= seq)
    })
  }
  const exchange = async (): Promise<ExchangeReport> => {
    const before = { ...counters, verdicts: { ...counters.verdicts } }
    await Promise.all(nodes.map(async n => await n.exporter.exportNow()))
    await until(() => seqsSeen() && nodes.every(n => hiveTotal(n) === recorded), timeoutMs, `every node to hold all ${recorded} outcomes`)
    const verdicts: Record<string, number> = {}
    for (const [k, v] of Object.entries(counters.verdicts)) if (v - (before.verdicts[k] ?? 0) > 0) verdicts[k] = v - (before.verdicts[k] ?? 0)
    return { published: counters.published - before.published, delivered: counters.delivered - before.delivered, envelopes: counters.envelopes - before.envelopes, verdicts }
  }

  return {
    trackers: nodes.map(n => n.local.tracker),
    record: (node, rows) => {
      if (rows.length === 0) return
      at(nodes, node, 'node').local.tracker.recordBatch(rows)
      recorded += rows.length
    },
    exchange,
    close
  }
}

function addressOf (node: HiveNode): string {
  const addr = node.network.multiaddrs().find(a => a.includes('/127.0.0.1/'))
  if (addr === undefined) throw new Error('live replay: a node has no loopback address')
  return addr
}

async function until (check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`live replay: timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
