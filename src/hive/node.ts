import type { Logger } from 'pino'
import { createDaemonLogger } from './logger.js'
import { DEFAULT_RETENTION_DAYS } from '../core/limits.js'
import { openLocalNode, type LocalNode } from './local-node.js'
import { createExporter, type Exporter, type ExportReport } from './exporter.js'
import { createMaintenance } from './maintenance.js'
import { createOriginAdmission, createSlicedQueue, type AdmissionLimits } from './admission.js'
import { createClockWatch } from './clock-watch.js'
import { envelopesLacked, syncRequestsOf } from './sync-answers.js'
import { createHiveNetwork, dialFailure, readHiveKey, type HiveNetwork } from '../network/index.js'
import { createDialBook } from './dial-book.js'
import { createArrivalSummary } from './arrival-summary.js'
import { MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES } from '../protocol/index.js'
import type { RejectLimiterOptions } from './reject-limiter.js'
import { originJson, type OriginJson } from '../store/exchange.js'
import { createReceiveGuard, gossipVerdictOf, type Received } from './receive-guard.js'
import { createHttpServer, type HttpServer } from '../http/server.js'
import { httpTokenPath } from '../http/auth.js'
import { createMetrics, type Metrics } from './metrics.js'
import { readDaemonFile, removeDaemonFile, writeDaemonFile } from './daemon-file.js'
import { StateError } from '../errors.js'
import { healthOf, type BootstrapDial, type Health } from './dial-book.js'
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
  /** seconds between periodic exports (every snapshotEvery-th a full snapshot) */
  exportIntervalS: number
  snapshotEvery: number
  /** seconds from a recorded change to its delta on the wire (debounced; 0: wait for the periodic export). Default 10. */
  publishDelayS?: number
  /** seconds between syncs with one random connected peer (sync also runs on every new connection) */
  syncIntervalS: number
  retentionDays?: number
  logger?: Logger
  /** how often unreachable bootstrap peers are redialled (default 30 s; tests shorten it) */
  bootstrapRedialMs?: number
  /** how long opening a connection may take (default 10 s; tests shorten it) */
  connectTimeoutMs?: number
  /** gossipsub heartbeat (tests shorten it) */
  heartbeatIntervalMs?: number
  /** gossip arrivals are logged at info as one summary line per peer per this period (default 60 s) */
  arrivalSummaryMs?: number
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
  publishDelayS: 10,
  syncIntervalS: 60
}

/**
 * A port already taken is the operator's to fix: one line naming the address and the flag to
 * change, not libp2p's stack trace and its advice about transportManager.faultTolerance.
 */
export function listenError (err: unknown, what: 'libp2p' | 'http'): unknown {
  const message = (err as { message?: string }).message ?? ''
  if ((err as { code?: string }).code !== 'EADDRINUSE' && !/EADDRINUSE|address already in use/i.test(message)) return err
  const address = what === 'libp2p'
    ? /(\/ip[46]\/\S+?):\s*Error: listen EADDRINUSE/.exec(message)?.[1] ?? /address already in use (\S+)/.exec(message)?.[1]
    : /address already in use (\S+)/.exec(message)?.[1]
  const flag = what === 'libp2p' ? '--listen (e.g. --listen /ip4/0.0.0.0/tcp/0 for any free port)' : '--http-port (0: any free port)'
  return new StateError('ADDRESS_IN_USE', `${what === 'libp2p' ? 'libp2p' : 'HTTP'} address ${address ?? '(unknown)'} is already in use (another hivebench node?): choose another with ${flag}`, { cause: err })
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
  const arrivals = createArrivalSummary(logger, options.arrivalSummaryMs)
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
    if (via === 'gossip') arrivals.count(fromPeer, v.verdict)
    return v
  }

  const dials = createDialBook({ bootstrap: options.bootstrap, logger, describe: err => dialFailure(err, options.hiveKeyFile !== undefined) })
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
    // a sync that brought nothing new is routine: not worth a line at info
    if (report.accepted > 0) logger.info(report, 'synced')
    else logger.debug(report, 'synced')
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
      bootstrapRedialMs: options.bootstrapRedialMs,
      connectTimeoutMs: options.connectTimeoutMs,
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
      onBootstrapDial: dials.record,
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
    publishDelayS: options.publishDelayS ?? NODE_DEFAULTS.publishDelayS,
    hasChanges: () => local.tracker.store.exchange.pendingKeys().length > 0,
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
  /** connected_peers, bootstrap dials and the verdict `hivebench status` turns into its exit code */
  const health = (): { connected_peers: number, bootstrap: BootstrapDial[], health: Health } => {
    const connected = network.connectedPeers()
    const bootstrap = dials.list(new Set(connected))
    return { connected_peers: connected.length, bootstrap, health: healthOf(network.topicPeers().length, bootstrap) }
  }
  const status = (): Record<string, unknown> => ({
    peer_id: network.peerId,
    hive: options.hive,
    topic: network.topic,
    addresses: network.multiaddrs(),
    data_dir: local.tracker.store.dataDir,
    http: http?.address()?.url ?? null,
    started_at: new Date(startedAtMs).toISOString(),
    peers_connected: network.connectedPeers().length,
    ...health(),
    origins_known: exchange.originCount(),
    next_export: exporter.nextExport(),
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
      let step: 'libp2p' | 'http' = 'libp2p'
      try {
        await network.start()
        step = 'http'
        httpAddress = await http?.start()
      } catch (err) {
        // leave nothing half-started behind: the caller gets one clear error and can exit
        await network.stop()
        await http?.stop()
        throw listenError(err, step)
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
        arrivals.stop()
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
