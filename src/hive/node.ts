import type { Logger } from 'pino'
import { createDaemonLogger } from './logger.js'
import { DEFAULT_RETENTION_DAYS } from '../core/limits.js'
import { openLocalNode, type LocalNode } from './local-node.js'
import { createExporter, type Exporter, type ExportReport } from './exporter.js'
import { createMaintenance } from './maintenance.js'
import { createSlicedQueue, type AdmissionLimits } from './admission.js'
import { createClockWatch } from './clock-watch.js'
import { envelopesLacked, syncRequestsOf } from './sync-answers.js'
import { syncRequestVersionOf, type SyncRequestVersion } from '../protocol/sync-digest.js'
import { createHiveNetwork, dialFailure, readHiveKey, type HiveNetwork } from '../network/index.js'
import { createDialBook, healthOf, type BootstrapDial, type Health } from './dial-book.js'
import { createArrivalSummary } from './arrival-summary.js'
import { MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES } from '../protocol/index.js'
import { DEFAULT_REJECT_LIMITS, type RejectLimiterOptions } from './reject-limiter.js'
import { originJson, type OriginJson } from '../store/index.js'
import { gossipVerdictOf, ruleOf, SETTING_RULES } from './receive.js'
import { createMetrics, type Metrics } from './metrics.js'
import { errorMessage, HivebenchError } from '../errors.js'
import { createIdleGc, DEFAULT_IDLE_GC } from './idle-gc.js'
import { interval, listenError, startAll, stopAll, type Startable } from './lifecycle.js'
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
}

/**
 * Every default of a node, in one place: the CLI's option defaults, the README and tests read
 * them from here. (The HTTP API's host and port are the daemon's: DAEMON_DEFAULTS in src/daemon.ts.)
 */
export const NODE_DEFAULTS = {
  listen: ['/ip4/0.0.0.0/tcp/4747'],
  bootstrap: [] as string[],
  hive: 'default',
  mdns: false,
  /** protocol/README.md, "Parameters": EXPORT_INTERVAL */
  exportIntervalS: 300,
  /** every Nth export is a snapshot (protocol/README.md, "Publishing") */
  snapshotEvery: 12,
  /** a recorded change is on the wire within this many seconds (at most one delta per period) */
  publishDelayS: 10,
  syncIntervalS: 60,
  retentionDays: DEFAULT_RETENTION_DAYS,
  heartbeatIntervalMs: 1000,
  rejectLimits: DEFAULT_REJECT_LIMITS
} satisfies Partial<NodeOptions>

/** longest stretch of merging sync envelopes before yielding to the event loop */
const SYNC_SLICE_MS = 20
const SEQ_EPOCH_WARNING = 'the database is new but the identity is not (a lost database?): this origin\'s sequence continues from a new epoch, so peers accept its next envelopes; counters peers already hold for this node stay as they are'
/** seconds between refreshes of the peer and origin gauges */
const GAUGE_REFRESH_S = 5

export interface SyncReport {
  peer: string
  received: number
  accepted: number
  ignored: number
  rejected: number
  /** request version spoken (2: compact seq sets; 1: an older peer) and request pages sent */
  version?: SyncRequestVersion
  pages: number
}

export interface HiveNode extends Startable {
  readonly local: LocalNode
  readonly network: HiveNetwork
  readonly exporter: Exporter
  readonly logger: Logger
  readonly metrics: Metrics
  status: () => Record<string, unknown>
  peers: () => { peers: Array<Record<string, unknown>>, origins: OriginJson[] }
  /** starts the network, the exporter (first snapshot) and the timers; on failure stops what started and rejects */
  start: () => Promise<void>
  /** stops the timers, the exporter (final export) and the network, then closes the store; safe to call twice and after a failed start */
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
 * The node: store + identity + sharing + receive pipeline (opened here), then the components
 * that start in order and stop in reverse: libp2p (gossip and sync), the exporter, the timers.
 * The HTTP API and the daemon file are the daemon's (src/daemon.ts), one level up.
 */
export async function createHiveNode (given: Partial<NodeOptions> = {}): Promise<HiveNode> {
  // an option given as undefined keeps its default
  const options = { ...NODE_DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<NodeOptions> }
  const logger = options.logger ?? createDaemonLogger()
  const log = {
    store: logger.child({ component: 'store' }),
    network: logger.child({ component: 'network' }),
    sync: logger.child({ component: 'sync' }),
    export: logger.child({ component: 'export' })
  }
  const allowlist = options.allowOrigins !== undefined && options.allowOrigins.length > 0 ? new Set(options.allowOrigins) : undefined
  const metrics = createMetrics()
  const clockWatch = createClockWatch(({ peer, origin, skewMs }) => {
    log.network.warn({ peer, origin, skewS: Math.round(skewMs / 1000) }, skewMs > 0
      ? 'this origin\'s clock is ahead of ours (or ours is behind): we ignore its envelopes dated in our future (R10, R28) until the clocks agree'
      : 'this origin\'s clock is behind ours (or ours is ahead): peers may be ignoring our envelopes (R10, R28); check the system clocks')
  })
  const local = await openLocalNode({
    dataDir: options.dataDir,
    retentionDays: options.retentionDays,
    allowlist,
    workBits: options.workBits,
    verify: true,
    rejectLimits: options.rejectLimits,
    admission: options.admission,
    logger: log.network,
    onVerdict: (received) => { metrics.countEnvelope('received', received.verdict, ruleOf(received)) },
    onDecoded: (envelope, source) => { if (source.via === 'gossip' && source.peer !== undefined) clockWatch.observeGossip(envelope, source.peer) }
  })
  const exchange = local.tracker.store.exchange
  if (local.identity.tightenedFromMode !== undefined) {
    log.store.warn({ mode: local.identity.tightenedFromMode.toString(8) }, 'the identity key was readable by other users; its mode is now 0600')
  }
  if (local.seqEpoch !== null) {
    log.store.warn({ seqEpoch: local.seqEpoch }, SEQ_EPOCH_WARNING)
  }
  let last: (ExportReport & { atMs: number }) | null = null
  let drift: DriftReport | null = null
  const startedAtMs = Date.now()

  const arrivals = createArrivalSummary(logger, options.arrivalSummaryMs)
  const dials = createDialBook({ bootstrap: options.bootstrap, logger: log.network, describe: err => dialFailure(err, options.hiveKeyFile !== undefined) })
  // gossip validation in slices of 20 ms, one per event-loop turn; 10,000 waiting at most
  const receiveInSlices = createSlicedQueue(SYNC_SLICE_MS, 10_000)

  let network: HiveNetwork
  const syncWith = async (peer: string): Promise<SyncReport> => {
    const report: SyncReport = { peer, received: 0, accepted: 0, ignored: 0, rejected: 0, pages: 0 }
    let slice = performance.now()
    // each frame is merged as it arrives: a sync holds one envelope in memory, whatever the peer
    // sends; a digest too large for one frame goes as pages, one exchange each, written in the
    // request version the first stream negotiated (an older peer speaks version 1 only)
    let pages: Uint8Array[] | undefined
    for (let page = 0; page < (pages?.length ?? 1); page++) {
      const request = (protocolId: string): Uint8Array => {
        // built once, for the version the first stream agreed on: a responder reads the version
        // field, so pages keep their cut even if the peer restarts on another version meanwhile
        report.version ??= syncRequestVersionOf(protocolId)
        pages ??= syncRequestsOf(exchange, options.hive, undefined, report.version)
        report.pages++
        const bytes = pages[page]
        if (bytes === undefined) throw new HivebenchError('SYNC_REQUEST', `no request page ${page} of ${pages.length}`) // the loop stops at the last
        return bytes
      }
      await network.requestSync(peer, request, async (bytes) => {
        const received = local.receiver.receive(bytes, { via: 'sync', peer })
        report.received++
        report[received.verdict === 'dropped' ? 'rejected' : received.verdict]++
        // An honest responder sends only envelopes it validated itself, so a REJECT (or a peer
        // blocked for its REJECTs) ends the exchange: the rest is left unread, not decrypted and
        // judged frame by frame up to the 64 MiB cap (16 peers answering junk cost seconds of CPU).
        // Not a REJECT under a rule whose bound is this node's own setting (R1's size, R24's work):
        // an honest peer holding an older node's origin must not cut every answer at that origin.
        const rule = ruleOf(received)
        if ((received.verdict === 'rejected' && !SETTING_RULES.has(rule ?? '')) || (received.verdict === 'dropped' && received.reason === 'peer_blocked')) {
          throw new HivebenchError('SYNC_REJECTED', `peer ${peer} answered with an envelope we reject (${rule ?? ''}); the rest of its sync answer is left unread`)
        }
        // a large catch-up must not stall gossip, heartbeats and the HTTP API: yield every few ms
        if (performance.now() - slice > SYNC_SLICE_MS) {
          await new Promise(resolve => setImmediate(resolve))
          slice = performance.now()
        }
      })
    }
    // a sync that brought nothing new is routine: not worth a line at info
    if (report.accepted > 0) log.sync.info(report, 'synced')
    else log.sync.debug(report, 'synced')
    return report
  }
  const syncSafely = (peer: string): void => {
    syncWith(peer).catch(err => { log.sync.warn({ peer, err: errorMessage(err) }, 'sync failed') })
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
      // The network boundary: the receive pipeline decides, gossipVerdictOf maps its verdict to
      // gossipsub's (REJECT lowers the sender's score), and an accepted envelope is already merged.
      // A flood of messages must not starve the HTTP API: validate in slices, one per event-loop
      // turn; beyond the queue's bound, messages are ignored unread (no penalty, nothing relayed).
      validate: async (message, fromPeer) => await receiveInSlices(() => {
        const received = local.receiver.receive(message, { via: 'gossip', peer: fromPeer })
        arrivals.count(fromPeer, received.verdict)
        return gossipVerdictOf(received)
      }, 'ignore'),
      onMessage: () => {},
      syncHandler: (request) => envelopesLacked(exchange, options.hive, request),
      onPeerConnected: syncSafely,
      onBootstrapDial: dials.record,
      logger: log.network
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
    publishDelayS: options.publishDelayS,
    // a read: looking for changes every few seconds writes nothing when nothing changed
    hasChanges: () => exchange.pendingKeys().length > 0,
    onExport: (report, ms) => {
      last = { ...report, atMs: Date.now() }
      metrics.exportDuration.observe(ms / 1000)
      if (report.envelopes > 0) metrics.countEnvelope('published', 'accepted', 'none', report.envelopes)
      if (report.envelopes > 0) log.export.info({ ...report, ms: Math.round(ms) }, 'exported')
    },
    onError: err => { log.export.error({ err }, 'export failed') }
  })

  // Each benchmarked arm's last week against its week before: the list goes to /v1/status, the count to /metrics.
  const checkDrift = (): DriftReport => {
    drift = local.tracker.drift()
    metrics.armRegressions.set(drift.regressions.length)
    if (drift.regressions.length > 0) log.store.warn({ regressions: drift.regressions.map(r => `${r.task_type} ${r.tool}/${r.model}`) }, 'arms regressed against their previous window')
    return drift
  }
  const checkDriftSafely = (): void => {
    try { checkDrift() } catch (err) { log.store.error({ err }, 'drift check failed') }
  }
  const driftTimer = interval(DRIFT_CHECK_INTERVAL_S, checkDriftSafely)
  const maintenance = createMaintenance({ store: local.tracker.store, logger: log.store })

  const components: Startable[] = [
    network,
    // retention and the other store upkeep, on its own schedule (maintenance.ts)
    { async start () { maintenance.start() }, async stop () { maintenance.stop() } },
    exporter,
    interval(options.syncIntervalS, () => {
      const connected = network.connectedPeers()
      const peer = connected[Math.floor(Math.random() * connected.length)]
      if (peer !== undefined) syncSafely(peer)
    }),
    // the drift check runs at start, then daily
    { async start () { checkDriftSafely(); await driftTimer.start() }, stop: driftTimer.stop },
    // gossip arrivals are summarised per peer per period; the summary's timer ends with the node
    { async start () {}, async stop () { arrivals.stop() } },
    interval(GAUGE_REFRESH_S, () => {
      metrics.peersConnected.set(network.connectedPeers().length)
      metrics.originsKnown.set(exchange.originCount())
    }),
    // memory left behind by a burst of work goes back once the node is quiet (idle-gc.ts)
    createIdleGc(DEFAULT_IDLE_GC, (freed) => { logger.child({ component: 'memory' }).debug({ freedMiB: Math.round(freed / 2 ** 20) }, 'collected garbage while idle') })
  ]

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
    started_at: new Date(startedAtMs).toISOString(),
    peers_connected: network.connectedPeers().length,
    ...health(),
    origins_known: exchange.originCount(),
    next_export: exporter.nextExport(),
    last_export: last === null ? null : { ...last, at: new Date(last.atMs).toISOString() },
    envelopes_received: local.receiver.counts(),
    origins_not_admitted: local.receiver.notAdmitted(),
    blocked: local.receiver.blocked(),
    drift
  })
  const peers = (): { peers: Array<Record<string, unknown>>, origins: OriginJson[] } => {
    const topic = new Set(network.topicPeers())
    const mesh = new Set(network.meshPeers())
    return {
      peers: network.connectedPeers().map(id => ({ peer_id: id, topic: topic.has(id), mesh: mesh.has(id), score: network.peerScore(id) })),
      origins: exchange.origins().map(originJson)
    }
  }

  let stopping: Promise<void> | undefined
  return {
    local,
    network,
    exporter,
    logger,
    metrics,
    status,
    peers,
    async start () {
      try {
        await startAll(components)
      } catch (err) {
        // startAll stopped what had started: the caller gets one clear error and can exit
        throw listenError(err, 'libp2p')
      }
      logger.info({ peerId: network.peerId, addresses: network.multiaddrs(), hive: options.hive, dataDir: local.tracker.store.dataDir }, 'hivebench node started')
    },
    stop () {
      stopping ??= (async () => {
        try {
          await stopAll(components)
        } finally {
          local.close()
        }
        logger.info('hivebench node stopped')
      })()
      return stopping
    },
    syncWith,
    lastExport: () => last,
    verdictCounts: local.receiver.counts,
    checkDrift
  }
}
