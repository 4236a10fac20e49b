import { pino, type Logger } from 'pino'
import { DEFAULT_RETENTION_DAYS } from './core/limits.js'
import { openLocalNode, type LocalNode } from './local-node.js'
import { createExporter, type Exporter, type ExportReport } from './network/exporter.js'
import { envelopesLacked, syncRequestOf } from './network/hive-sync.js'
import { createHiveNetwork, readHiveKey, type HiveNetwork } from './network/index.js'
import { MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES } from './protocol/index.js'
import type { EnvelopeVerdict } from './sharing.js'

export interface NodeOptions {
  dataDir?: string
  /** libp2p listen multiaddrs */
  listen: string[]
  bootstrap: string[]
  hive: string
  mdns: boolean
  /** swarm.key file of a closed hive (libp2p private network) */
  hiveKeyFile?: string
  /** only these origins' envelopes are merged */
  allowOrigins?: string[]
  exportIntervalS: number
  snapshotEvery: number
  /** seconds between syncs with one random connected peer (sync also runs on every new connection) */
  syncIntervalS: number
  retentionDays?: number
  logger?: Logger
  /** gossipsub heartbeat (tests shorten it) */
  heartbeatIntervalMs?: number
}

export const NODE_DEFAULTS = {
  listen: ['/ip4/0.0.0.0/tcp/4747'],
  bootstrap: [] as string[],
  hive: 'default',
  mdns: false,
  exportIntervalS: 300,
  snapshotEvery: 12,
  syncIntervalS: 60
}

export interface SyncReport { peer: string, received: number, accepted: number, ignored: number, rejected: number }

export interface HiveNode {
  readonly local: LocalNode
  readonly network: HiveNetwork
  readonly exporter: Exporter
  readonly logger: Logger
  start: () => Promise<void>
  /** final export, then stops the network and closes the store; safe to call twice */
  stop: () => Promise<void>
  syncWith: (peerId: string) => Promise<SyncReport>
  lastExport: () => (ExportReport & { atMs: number }) | null
  /** received-envelope verdict counts since start, by verdict and rule */
  verdictCounts: () => Record<string, number>
}

/**
 * The daemon: store + identity + sharing, libp2p (gossip and sync), and the export schedule.
 * Components start in that order and stop in reverse.
 */
export async function createHiveNode (options: NodeOptions): Promise<HiveNode> {
  const logger = options.logger ?? pino({ name: 'hivebench' })
  const allowlist = options.allowOrigins !== undefined && options.allowOrigins.length > 0 ? new Set(options.allowOrigins) : undefined
  const local = await openLocalNode({ dataDir: options.dataDir, retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS, allowlist })
  const counts: Record<string, number> = {}
  let last: (ExportReport & { atMs: number }) | null = null

  const note = (v: EnvelopeVerdict, via: string, fromPeer: string): EnvelopeVerdict => {
    const key = v.verdict === 'accepted' ? 'accepted' : `${v.verdict}:${v.rule}`
    counts[key] = (counts[key] ?? 0) + 1
    if (v.verdict === 'rejected') logger.warn({ via, fromPeer, rule: v.rule, reason: v.reason }, 'rejected envelope')
    else logger.debug({ via, fromPeer, ...v }, 'envelope')
    return v
  }

  let network: HiveNetwork
  const syncWith = async (peer: string): Promise<SyncReport> => {
    const frames = await network.requestSync(peer, syncRequestOf(local.tracker.store.exchange))
    const report: SyncReport = { peer, received: frames.length, accepted: 0, ignored: 0, rejected: 0 }
    for (const bytes of frames) report[note(local.sharing.receive(bytes, MAX_ENVELOPE_BYTES), 'sync', peer).verdict]++
    logger.info(report, 'synced')
    return report
  }
  const syncSafely = (peer: string): void => {
    syncWith(peer).catch(err => { logger.warn({ peer, err: (err as Error).message }, 'sync failed') })
  }

  try {
    network = await createHiveNetwork({
      privateKey: local.identity.privateKey,
      listen: options.listen,
      bootstrap: options.bootstrap,
      hive: options.hive,
      mdns: options.mdns,
      privateNetworkKey: options.hiveKeyFile === undefined ? undefined : readHiveKey(options.hiveKeyFile),
      maxMessageBytes: MAX_GOSSIP_BYTES,
      sync: { maxFrameBytes: MAX_ENVELOPE_BYTES },
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      // Validation and merge happen here, once: the verdict is what gossipsub acts on
      // (REJECT lowers the sender's score), and an accepted envelope is already merged.
      validate: (message, fromPeer) => {
        const v = note(local.sharing.receive(message, MAX_GOSSIP_BYTES), 'gossip', fromPeer).verdict
        return v === 'accepted' ? 'accept' : v === 'ignored' ? 'ignore' : 'reject'
      },
      onMessage: () => {},
      syncHandler: (request) => envelopesLacked(local.tracker.store.exchange, request),
      onPeerConnected: syncSafely,
      logger
    })
  } catch (err) {
    local.close()
    throw err
  }

  const exporter = createExporter({
    sharing: local.sharing,
    network,
    intervalS: options.exportIntervalS,
    snapshotEvery: options.snapshotEvery,
    onExport: (report, ms) => {
      last = { ...report, atMs: Date.now() }
      if (report.envelopes > 0) logger.info({ ...report, ms: Math.round(ms) }, 'exported')
    },
    onError: err => { logger.error({ err }, 'export failed') }
  })

  let syncTimer: NodeJS.Timeout | undefined
  let stopping: Promise<void> | undefined

  return {
    local,
    network,
    exporter,
    logger,
    async start () {
      await network.start()
      exporter.start()
      await exporter.exportNow({ snapshot: true })
      syncTimer = setInterval(() => {
        const peers = network.connectedPeers()
        if (peers.length > 0) syncSafely(peers[Math.floor(Math.random() * peers.length)])
      }, options.syncIntervalS * 1000)
      syncTimer.unref()
      logger.info({ peerId: network.peerId, addresses: network.multiaddrs(), hive: options.hive, dataDir: local.tracker.store.dataDir }, 'hivebench node started')
    },
    stop () {
      stopping ??= (async () => {
        if (syncTimer !== undefined) clearInterval(syncTimer)
        exporter.stop()
        // Final export so nothing recorded is left unpublished; without peers it is stored and synced later.
        try { await exporter.exportNow() } catch (err) { logger.warn({ err }, 'final export failed') }
        await network.stop()
        local.close()
        logger.info('hivebench node stopped')
      })()
      return stopping
    },
    syncWith,
    lastExport: () => last,
    verdictCounts: () => ({ ...counts })
  }
}
