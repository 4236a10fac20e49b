import { pino, type Logger } from 'pino'
import { DEFAULT_RETENTION_DAYS } from '../core/limits.js'
import { openLocalNode, type LocalNode } from './local-node.js'
import { createExporter, type Exporter, type ExportReport } from './exporter.js'
import { envelopesLacked, syncRequestOf } from './sync-answers.js'
import { createHiveNetwork, readHiveKey, type HiveNetwork } from '../network/index.js'
import { MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES } from '../protocol/index.js'
import type { RejectLimiterOptions } from './reject-limiter.js'
import { originJson, type OriginJson } from '../store/exchange.js'
import { gossipVerdictOf, ruleOf } from './receive.js'
import { createHttpServer, type HttpServer } from '../http/server.js'
import { httpTokenPath } from '../http/auth.js'
import { createMetrics, type Metrics } from './metrics.js'
import { readDaemonFile, removeDaemonFile, writeDaemonFile } from './daemon-file.js'
import { StateError } from '../errors.js'

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
  /** REJECTs after which a peer (or an authentic origin) is dropped unread; default 20, half-life 10 min */
  rejectLimits?: RejectLimiterOptions
  /** the local HTTP API; omitted: no HTTP server (embedded use, some tests) */
  http?: { host: string, port: number, token?: string }
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

/** A port already taken is the operator's to fix: say which, not a stack trace. */
function listenError (err: unknown): unknown {
  const e = err as { code?: string, message?: string }
  if (e.code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(e.message ?? '')) {
    return new StateError('ADDRESS_IN_USE', `${e.message ?? 'address in use'}: another process (another hivebench node?) listens there; choose other ports with --http-port / --listen`, { cause: err })
  }
  return err
}

/** longest stretch of merging sync envelopes before yielding to the event loop */
const SYNC_SLICE_MS = 20

export interface SyncReport { peer: string, received: number, accepted: number, ignored: number, rejected: number }

export interface HiveNode {
  readonly local: LocalNode
  readonly network: HiveNetwork
  readonly exporter: Exporter
  readonly logger: Logger
  readonly metrics: Metrics
  /** null when started without `http` */
  readonly http: HttpServer | null
  status: () => Record<string, unknown>
  peers: () => { peers: Array<Record<string, unknown>>, origins: OriginJson[] }
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
  const metrics = createMetrics()
  const local = await openLocalNode({
    dataDir: options.dataDir,
    retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS,
    allowlist,
    verify: true,
    rejectLimits: options.rejectLimits,
    logger,
    onVerdict: (received) => { metrics.countEnvelope('received', received.verdict, ruleOf(received)) }
  })
  let last: (ExportReport & { atMs: number }) | null = null
  const startedAtMs = Date.now()

  let network: HiveNetwork
  const syncWith = async (peer: string): Promise<SyncReport> => {
    const frames = await network.requestSync(peer, syncRequestOf(local.tracker.store.exchange, options.hive))
    const report: SyncReport = { peer, received: frames.length, accepted: 0, ignored: 0, rejected: 0 }
    let slice = performance.now()
    for (const bytes of frames) {
      const v = local.receiver.receive(bytes, { via: 'sync', peer }).verdict
      report[v === 'dropped' ? 'rejected' : v]++
      // a large catch-up must not stall gossip, heartbeats and the HTTP API: yield every few ms
      if (performance.now() - slice > SYNC_SLICE_MS) {
        await new Promise(resolve => setImmediate(resolve))
        slice = performance.now()
      }
    }
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
      validate: (message, fromPeer) => gossipVerdictOf(local.receiver.receive(message, { via: 'gossip', peer: fromPeer })),
      onMessage: () => {},
      syncHandler: (request) => envelopesLacked(local.tracker.store.exchange, options.hive, request),
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
      metrics.exportDuration.observe(ms / 1000)
      if (report.envelopes > 0) metrics.countEnvelope('published', 'accepted', 'none', report.envelopes)
      if (report.envelopes > 0) logger.info({ ...report, ms: Math.round(ms) }, 'exported')
    },
    onError: err => { logger.error({ err }, 'export failed') }
  })

  const exchange = local.tracker.store.exchange
  const status = (): Record<string, unknown> => ({
    peer_id: network.peerId,
    hive: options.hive,
    topic: network.topic,
    addresses: network.multiaddrs(),
    data_dir: local.tracker.store.dataDir,
    http: http?.address()?.url ?? null,
    started_at: new Date(startedAtMs).toISOString(),
    peers_connected: network.connectedPeers().length,
    origins_known: exchange.originCount(),
    last_export: last === null ? null : { ...last, at: new Date(last.atMs).toISOString() },
    envelopes_received: local.receiver.counts(),
    blocked: local.receiver.blocked()
  })
  const peers = (): { peers: Array<Record<string, unknown>>, origins: OriginJson[] } => {
    const topic = new Set(network.topicPeers())
    const mesh = new Set(network.meshPeers())
    return {
      peers: network.connectedPeers().map(id => ({ peer_id: id, topic: topic.has(id), mesh: mesh.has(id), score: network.peerScore(id) })),
      origins: exchange.origins().map(originJson)
    }
  }
  const http = options.http === undefined
    ? null
    : createHttpServer({
      tracker: local.tracker,
      metrics,
      host: options.http.host,
      port: options.http.port,
      token: options.http.token,
      tokenFile: httpTokenPath(local.tracker.store.dataDir),
      node: { status, peers, exportNow: async () => ({ ...await exporter.exportNow() }) },
      logger: logger.child({ component: 'http' })
    })

  const timers: NodeJS.Timeout[] = []
  const every = (seconds: number, fn: () => void): void => {
    const t = setInterval(fn, seconds * 1000)
    t.unref()
    timers.push(t)
  }
  let stopping: Promise<void> | undefined

  return {
    local,
    network,
    exporter,
    logger,
    metrics,
    http,
    status,
    peers,
    async start () {
      const dataDir = local.tracker.store.dataDir
      const running = readDaemonFile(dataDir)
      if (running !== null && running.pid !== process.pid) {
        throw new StateError('DAEMON_RUNNING', `a hivebench daemon (pid ${running.pid}, ${running.url}) already runs on ${dataDir}: one data dir is one node`)
      }
      let httpAddress: Awaited<ReturnType<HttpServer['start']>> | undefined
      try {
        await network.start()
        httpAddress = await http?.start()
      } catch (err) {
        // leave nothing half-started behind: the caller gets one clear error and can exit
        await network.stop()
        await http?.stop()
        throw listenError(err)
      }
      exporter.start()
      await exporter.exportNow({ snapshot: true })
      every(options.syncIntervalS, () => {
        const connected = network.connectedPeers()
        if (connected.length > 0) syncSafely(connected[Math.floor(Math.random() * connected.length)])
      })
      every(5, () => {
        metrics.peersConnected.set(network.connectedPeers().length)
        metrics.originsKnown.set(exchange.originCount())
      })
      if (httpAddress !== undefined) writeDaemonFile(dataDir, { pid: process.pid, url: httpAddress.url, peerId: network.peerId })
      logger.info({ peerId: network.peerId, addresses: network.multiaddrs(), http: httpAddress?.url, hive: options.hive, dataDir: local.tracker.store.dataDir }, 'hivebench node started')
    },
    stop () {
      stopping ??= (async () => {
        for (const t of timers) clearInterval(t)
        await http?.stop()
        exporter.stop()
        // Final export so nothing recorded is left unpublished; without peers it is stored and synced later.
        try { await exporter.exportNow() } catch (err) { logger.warn({ err }, 'final export failed') }
        await network.stop()
        if (http !== null) removeDaemonFile(local.tracker.store.dataDir, process.pid)
        local.close()
        logger.info('hivebench node stopped')
      })()
      return stopping
    },
    syncWith,
    lastExport: () => last,
    verdictCounts: local.receiver.counts
  }
}
