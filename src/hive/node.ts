import type { Logger } from 'pino'
import { createDaemonLogger } from './logger.js'
import { DEFAULT_RETENTION_DAYS } from '../core/limits.js'
import { openLocalNode, type LocalNode } from './local-node.js'
import { createExporter, type Exporter, type ExportReport } from './exporter.js'
import { createMaintenance } from './maintenance.js'
import { createOriginAdmission, createSlicedQueue, type AdmissionLimits } from './admission.js'
import { createClockWatch } from './clock-watch.js'
import { envelopesLacked, syncRequestsOf } from './sync-answers.js'
import { createHiveNetwork, readHiveKey, type HiveNetwork } from '../network/index.js'
import { MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES } from '../protocol/index.js'
import type { RejectLimiterOptions } from './reject-limiter.js'
import { originJson, type OriginJson } from '../store/exchange.js'
import { createReceiveGuard, gossipVerdictOf, type Received } from './receive-guard.js'
import { createHttpServer, type HttpServer } from '../http/server.js'
import { httpTokenPath } from '../http/auth.js'
import { createMetrics, type Metrics } from './metrics.js'
import { readDaemonFile, removeDaemonFile, writeDaemonFile } from './daemon-file.js'
import { StateError } from '../errors.js'
import type { DriftReport } from '../gate/service.js'

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
  /** R24: the hive's identity work in bits (default resolveWorkBits()) */
  workBits?: number
  exportIntervalS: number
  snapshotEvery: number
  /** seconds between syncs with one random connected peer (sync also runs on every new connection) */
  syncIntervalS: number
  retentionDays?: number
  logger?: Logger
  /** gossipsub heartbeat (tests shorten it) */
  heartbeatIntervalMs?: number
  /** new origins one peer may introduce (rate, burst, total); see admission.ts */
  admission?: AdmissionLimits
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
  /** runs the drift check now (the daemon runs it at start and daily) */
  checkDrift: () => DriftReport
}

const DRIFT_CHECK_INTERVAL_S = 86_400

/**
 * The daemon: store + identity + sharing, libp2p (gossip and sync), and the export schedule.
 * Components start in that order and stop in reverse.
 */
export async function createHiveNode (options: NodeOptions): Promise<HiveNode> {
  const logger = options.logger ?? createDaemonLogger()
  const allowlist = options.allowOrigins !== undefined && options.allowOrigins.length > 0 ? new Set(options.allowOrigins) : undefined
  const local = await openLocalNode({ dataDir: options.dataDir, retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS, allowlist, workBits: options.workBits, verify: true })
  const metrics = createMetrics()
  if (local.seqEpoch !== null) {
    logger.warn({ seqEpoch: local.seqEpoch }, 'the database is new but the identity is not (a lost database?): this origin\'s sequence continues from a new epoch, so peers accept its next envelopes; counters peers already hold for this node stay as they are')
  }
  const counts: Record<string, number> = {}
  let last: (ExportReport & { atMs: number }) | null = null
  let drift: DriftReport | null = null
  const startedAtMs = Date.now()

  const admission = createOriginAdmission(origin => local.tracker.store.exchange.knowsOrigin(origin), options.admission)
  const guard = createReceiveGuard(local.sharing, options.rejectLimits, Date.now, admission)
  // gossip validation in slices of 20 ms, one per event-loop turn; 10,000 waiting at most
  const receiveInSlices = createSlicedQueue(SYNC_SLICE_MS, 10_000)
  const clockWatch = createClockWatch(({ peer, origin, skewMs }) => {
    logger.warn({ peer, origin, skewS: Math.round(skewMs / 1000) }, skewMs > 0
      ? 'this origin\'s clock is ahead of ours (or ours is behind): we ignore its envelopes dated in our future (R10, R28) until the clocks agree'
      : 'this origin\'s clock is behind ours (or ours is ahead): peers may be ignoring our envelopes (R10, R28); check the system clocks')
  })
  /** every received envelope, gossip or sync, goes through here: guard, validate, merge, count */
  const receive = (bytes: Uint8Array, maxBytes: number, via: string, fromPeer: string): Received => {
    const v = guard.receive(bytes, maxBytes, fromPeer, via === 'gossip')
    const rule = v.verdict === 'accepted' ? undefined : v.verdict === 'dropped' ? v.reason : v.rule
    const key = rule === undefined ? v.verdict : `${v.verdict}:${rule}`
    counts[key] = (counts[key] ?? 0) + 1
    metrics.countEnvelope('received', v.verdict, rule)
    if (v.verdict === 'rejected') logger.warn({ via, fromPeer, rule: v.rule, reason: v.reason }, 'rejected envelope')
    else logger.debug({ via, fromPeer, ...v }, 'envelope')
    return v
  }

  let network: HiveNetwork
  const syncWith = async (peer: string): Promise<SyncReport> => {
    const report: SyncReport = { peer, received: 0, accepted: 0, ignored: 0, rejected: 0 }
    let slice = performance.now()
    // each frame is merged as it arrives: a sync holds one envelope in memory, whatever the peer
    // sends; a digest too large for one frame goes as pages, one exchange each
    for (const request of syncRequestsOf(local.tracker.store.exchange, options.hive)) {
      await network.requestSync(peer, request, async (bytes) => {
        const v = receive(bytes, MAX_ENVELOPE_BYTES, 'sync', peer).verdict
        report.received++
        report[v === 'dropped' ? 'rejected' : v]++
        // a large catch-up must not stall gossip, heartbeats and the HTTP API: yield every few ms
        if (performance.now() - slice > SYNC_SLICE_MS) {
          await new Promise(resolve => setImmediate(resolve))
          slice = performance.now()
        }
      })
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
      // a flood of messages must not starve the HTTP API: validate in slices, one per event-loop
      // turn; beyond the queue's bound, messages are ignored unread (no penalty, nothing relayed)
      validate: async (message, fromPeer) => await receiveInSlices(() => {
        clockWatch.observeGossip(message, fromPeer)
        return gossipVerdictOf(receive(message, MAX_GOSSIP_BYTES, 'gossip', fromPeer))
      }, 'ignore'),
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

  const maintenance = createMaintenance({ store: local.tracker.store, logger })
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
    envelopes_received: { ...counts },
    origins_not_admitted: admission.refused(),
    blocked: guard.blocked(),
    drift
  })
  // Each benchmarked arm's last week against its week before: the list goes to /v1/status, the count to /metrics.
  const checkDrift = (): DriftReport => {
    drift = local.tracker.drift()
    metrics.armRegressions.set(drift.regressions.length)
    if (drift.regressions.length > 0) logger.warn({ regressions: drift.regressions.map(r => `${r.task_type} ${r.tool}/${r.model}`) }, 'arms regressed against their previous window')
    return drift
  }
  const checkDriftSafely = (): void => {
    try { checkDrift() } catch (err) { logger.error({ err }, 'drift check failed') }
  }
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
      maintenance.start()
      exporter.start()
      await exporter.exportNow({ snapshot: true })
      every(options.syncIntervalS, () => {
        const connected = network.connectedPeers()
        if (connected.length > 0) syncSafely(connected[Math.floor(Math.random() * connected.length)])
      })
      checkDriftSafely()
      every(DRIFT_CHECK_INTERVAL_S, checkDriftSafely)
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
        maintenance.stop()
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
    verdictCounts: () => ({ ...counts }),
    checkDrift
  }
}
