import '../src/polyfill.js'
import { createHash } from 'node:crypto'
import { subscribe } from 'node:diagnostics_channel'
import { rmSync, statSync } from 'node:fs'
import type { Socket } from 'node:net'
import type { Statement } from 'better-sqlite3'
import { pino, type Level } from 'pino'
import { createHiveNode, NODE_DEFAULTS, type HiveNode } from '../src/hive/node.js'
import { syncRequestOf } from '../src/hive/sync-answers.js'
import { readEnvelopeFile } from '../src/hive/envelope-file.js'
import { MAX_ENVELOPE_BYTES } from '../src/protocol/index.js'
import { databasePath } from '../src/store/data-dir.js'
import { roundOutcomes } from './lib/cluster-data.js'
import { wallMs, type Fingerprint, type ReplyMessage, type Request, type RequestMessage, type Requests, type Traffic } from './lib/cluster-protocol.js'

/**
 * One hivebench daemon of the cluster benchmark (scripts/bench-cluster.ts forks one process per
 * node). Controlled over the fork IPC channel only; exits when the parent goes away.
 *
 * Measurement hooks, none of which changes what the node does:
 * - wire bytes: every TCP socket the process opens or accepts (these are libp2p's only:
 *   the IPC channel is not a TCP socket) is seen through the net.client.socket /
 *   net.server.socket diagnostics channels; bytesRead/bytesWritten are TCP payload bytes,
 *   i.e. everything libp2p sends (noise, yamux, identify, gossipsub incl. control, sync),
 *   without TCP/IP headers;
 * - application bytes: network.publish and sharing.receive are wrapped to count envelope
 *   bytes (published once per export; received once per gossip delivery that reached
 *   validation, and per sync frame);
 * - convergence: after accepted envelopes (once per event-loop turn, so a sync response merged
 *   in one loop is checked once, after its last envelope) the counters' row count and sum of
 *   n are compared with the target; the time is taken just before that query, so it is the
 *   moment the matching state was read, not including the query.
 */

if (process.send === undefined) {
  console.error('cluster-node.js is started by bench-cluster.js (child_process.fork), not directly')
  process.exit(2)
}
// Once the parent is gone a send fails (EPIPE): drop the message, never crash on it.
const send = (message: ReplyMessage): void => {
  if (process.connected) process.send?.(message, undefined, {}, () => {})
}
process.on('error', () => {})

// ---- wire bytes: libp2p's TCP sockets --------------------------------------------------------
const live = new Set<Socket>()
const closed = { read: 0, written: 0 }
const track = (message: unknown): void => {
  const socket = (message as { socket: Socket }).socket
  live.add(socket)
  socket.once('close', () => {
    closed.read += socket.bytesRead
    closed.written += socket.bytesWritten
    live.delete(socket)
  })
}
subscribe('net.client.socket', track)
subscribe('net.server.socket', track)
const wire = (): { read: number, written: number } => {
  let read = closed.read
  let written = closed.written
  for (const s of live) { read += s.bytesRead; written += s.bytesWritten }
  return { read, written }
}

// ---- state ----------------------------------------------------------------------------------
let node: HiveNode | undefined
let dataDir: string | undefined
let hive = ''
const app = { published: 0, publishedMessages: 0, received: 0, receivedMessages: 0, syncReceived: 0, accepted: 0, receiveMs: 0 }
/** run after accepted envelopes, coalesced into one setImmediate per event-loop turn */
const onAccepted = new Set<() => void>()
let checkScheduled = false
const join = { connectedAtMs: null as number | null, syncStartedAtMs: null as number | null, syncFramesAtMs: null as number | null, convergedAtMs: null as number | null }
let joinDone: Promise<Requests['join']['res']> | undefined

const need = (): HiveNode => {
  if (node === undefined) throw new Error('node not started')
  return node
}
const db = () => need().local.tracker.store.db

let fingerprintStmt: Statement<[], Fingerprint> | undefined
const fingerprint = (): Fingerprint => {
  fingerprintStmt ??= db().prepare<[], Fingerprint>('SELECT COUNT(*) AS rows, COALESCE(SUM(n), 0) AS sumN FROM counters')
  return fingerprintStmt.get() as Fingerprint
}
const ownFingerprint = (): Fingerprint =>
  db().prepare<[], Fingerprint>('SELECT COUNT(*) AS rows, COALESCE(SUM(n), 0) AS sumN FROM counters WHERE origin = 0').get() as Fingerprint

/**
 * sha256 of the hive view (exchange.hiveCounters(), canonical order). Histograms are Maps, which
 * JSON.stringify would write as {}: they are serialised as sorted [bucket, count] pairs.
 */
function viewHash (): { hash: string, hashMs: number } {
  const t0 = performance.now()
  const view = need().local.tracker.store.exchange.hiveCounters()
  const json = JSON.stringify(view, (_key, value: unknown) =>
    value instanceof Map ? [...(value as Map<number, number>).entries()].sort((a, b) => a[0] - b[0]) : value)
  const hash = createHash('sha256').update(json).digest('hex')
  return { hash, hashMs: performance.now() - t0 }
}

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

const traffic = (): Traffic => {
  const w = wire()
  return {
    atMs: wallMs(),
    wireRead: w.read,
    wireWritten: w.written,
    appPublished: app.published,
    appPublishedMessages: app.publishedMessages,
    appReceived: app.received,
    appReceivedMessages: app.receivedMessages,
    syncReceived: app.syncReceived,
    receiveMs: app.receiveMs,
    cpuMs: cpuMs(),
    verdicts: node?.verdictCounts() ?? {}
  }
}

const same = (a: Fingerprint, b: Fingerprint): boolean => a.rows === b.rows && a.sumN === b.sumN

/** Resolves with the time the view first matched `expect` (checked at once and after accepted envelopes). */
function watchFor (expect: Fingerprint, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      // the time is taken before the query: the state it reads is the state at this moment
      const at = wallMs()
      if (!same(fingerprint(), expect)) return false
      onAccepted.delete(check)
      clearTimeout(timer)
      resolve(at)
      return true
    }
    const timer = setTimeout(() => {
      onAccepted.delete(check)
      const fp = fingerprint()
      reject(new Error(`view did not reach ${JSON.stringify(expect)} within ${timeoutMs} ms (at ${JSON.stringify(fp)})`))
    }, timeoutMs)
    onAccepted.add(check)
    check()
  })
}

let taskStmt: Statement<[string], { one: number }> | undefined
/** The time the view first held a counter of `taskType` (null: not within timeoutMs). */
function watchTask (taskType: string, timeoutMs: number): Promise<number | null> {
  taskStmt ??= db().prepare<[string], { one: number }>('SELECT 1 AS one FROM counters WHERE task_type = ? LIMIT 1')
  const stmt = taskStmt
  return new Promise(resolve => {
    const check = (): boolean => {
      const at = wallMs()
      if (stmt.get(taskType) === undefined) return false
      onAccepted.delete(check)
      clearTimeout(timer)
      resolve(at)
      return true
    }
    const timer = setTimeout(() => { onAccepted.delete(check); resolve(null) }, timeoutMs)
    onAccepted.add(check)
    check()
  })
}

function instrument (n: HiveNode): void {
  const network = n.network
  const publish = network.publish.bind(network)
  network.publish = async (message) => {
    app.published += message.byteLength
    app.publishedMessages++
    return await publish(message)
  }
  const requestSync = network.requestSync.bind(network)
  network.requestSync = async (peer, request, onFrame) => {
    join.syncStartedAtMs ??= wallMs()
    const tally = await requestSync(peer, request, onFrame)
    join.syncFramesAtMs ??= wallMs()
    app.syncReceived += tally.bytes
    return tally
  }
  const sharing = n.local.sharing
  const receive = sharing.receive.bind(sharing)
  sharing.receive = (bytes, maxBytes) => {
    app.received += bytes.byteLength
    app.receivedMessages++
    const t0 = performance.now()
    const verdict = receive(bytes, maxBytes)
    app.receiveMs += performance.now() - t0
    if (verdict.verdict === 'accepted') {
      app.accepted++
      // once per burst: a sync response is merged in one synchronous loop, so the check runs
      // after its last envelope (and does not slow the merge down); a gossip message is its own task
      if (!checkScheduled && onAccepted.size > 0) {
        checkScheduled = true
        setImmediate(() => {
          checkScheduled = false
          for (const f of [...onAccepted]) f()
        })
      }
    }
    return verdict
  }
}

async function start (req: Requests['start']['req']): Promise<Requests['start']['res']> {
  if (node !== undefined) throw new Error('already started')
  dataDir = req.dataDir
  hive = req.hive
  const level = (process.env.HIVEBENCH_CLUSTER_LOG ?? 'silent') as Level | 'silent'
  node = await createHiveNode({
    workBits: 0, // throwaway identities of a simulated hive: R24 (identity work) off
    ...NODE_DEFAULTS,
    dataDir: req.dataDir,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: req.bootstrap,
    hive: req.hive,
    mdns: false,
    exportIntervalS: req.exportIntervalS,
    syncIntervalS: req.syncIntervalS,
    publishDelayS: req.publishDelayS ?? 0,
    heartbeatIntervalMs: req.heartbeatMs,
    logger: pino({ level, name: `cluster-node-${process.pid}` }, pino.destination(2))
  })
  instrument(node)
  if (req.join !== undefined) {
    // late joiner: note when the first connection is up, then wait for the target view
    const n = node
    const target = req.join
    const poll = setInterval(() => {
      if (join.connectedAtMs === null && n.network.connectedPeers().length > 0) {
        join.connectedAtMs = wallMs()
        clearInterval(poll)
      }
    }, 1)
    const converged = watchFor(target, 60_000)
    joinDone = converged.then(at => {
      clearInterval(poll)
      join.convergedAtMs = at
      // the connection was up before any envelope could arrive; if the 1 ms poll was starved
      // by the merge, the sync start is the latest moment it can have happened
      join.connectedAtMs ??= join.syncStartedAtMs ?? at
      const { hash, hashMs } = viewHash()
      return { connectedAtMs: join.connectedAtMs, syncStartedAtMs: join.syncStartedAtMs, syncFramesAtMs: join.syncFramesAtMs, convergedAtMs: at, hash, hashMs, traffic: traffic() }
    }, err => { clearInterval(poll); throw err })
    joinDone.catch(() => {}) // reported when asked for
  }
  const startCalledAtMs = wallMs()
  await node.start()
  const addr = node.network.multiaddrs().find(a => a.includes('/127.0.0.1/'))
  if (addr === undefined) throw new Error('no loopback address')
  return { peerId: node.network.peerId, addr, startCalledAtMs, startedAtMs: wallMs() }
}

async function handle (req: Request): Promise<unknown> {
  switch (req.cmd) {
    case 'start': {
      starting = start(req)
      return await starting
    }
    case 'status': {
      const net = need().network
      return { connected: net.connectedPeers().length, topic: net.topicPeers().length, mesh: net.meshPeers().length }
    }
    case 'record': {
      const result = need().local.tracker.recordBatch(roundOutcomes(req.keys, req.outcomes, req.round))
      return { recorded: result.recorded, own: ownFingerprint() }
    }
    case 'export': {
      const before = app.published
      const t0 = performance.now()
      const report = await need().exporter.exportNow()
      return { completedAtMs: wallMs(), ms: performance.now() - t0, ...report, bytes: app.published - before }
    }
    case 'watch': {
      // The hash is not taken here: hashing while other nodes are still converging would take
      // CPU from them. The parent asks every node for its view hash once all have matched.
      return { atMs: await watchFor(req.expect, req.timeoutMs) }
    }
    case 'view': {
      const atMs = wallMs()
      return { ...fingerprint(), ...viewHash(), atMs }
    }
    case 'traffic': return traffic()
    case 'import': {
      const n = need()
      const t0 = performance.now()
      const counts = { accepted: 0, ignored: 0, rejected: 0 }
      for (const file of req.files) {
        for (const bytes of await readEnvelopeFile(file)) counts[n.local.sharing.receive(bytes, MAX_ENVELOPE_BYTES).verdict]++
      }
      return { ...counts, ms: performance.now() - t0 }
    }
    case 'storage': {
      const d = db()
      d.pragma('wal_checkpoint(TRUNCATE)')
      const tables: Record<string, number> = {}
      for (const row of d.prepare<[], { name: string, bytes: number }>('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all()) tables[row.name] = row.bytes
      const env = d.prepare<[], { n: number, bytes: number }>('SELECT COUNT(*) AS n, COALESCE(SUM(length(bytes)), 0) AS bytes FROM envelopes WHERE origin != 0').get() as { n: number, bytes: number }
      const exchange = need().local.tracker.store.exchange
      return {
        dbBytes: statSync(databasePath(need().local.tracker.store.dataDir)).size,
        tables,
        peerRows: (d.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM counters WHERE origin != 0').get() as { n: number }).n,
        envelopes: env.n,
        envelopeBytes: env.bytes,
        origins: exchange.origins().length,
        digestBytes: syncRequestOf(exchange, hive).byteLength
      }
    }
    case 'join': {
      if (joinDone === undefined) throw new Error('not started as a late joiner')
      return await Promise.race([joinDone, new Promise((_resolve, reject) => setTimeout(() => { reject(new Error('join timed out')) }, req.timeoutMs).unref())])
    }
    case 'recordOne': {
      const atMs = wallMs()
      need().local.tracker.record({ task_type: req.taskType, tool: req.tool, outcome: 'pass', duration_s: 30 })
      return { atMs }
    }
    case 'watchTask': return { atMs: await watchTask(req.taskType, req.timeoutMs) }
    case 'stop': {
      await shutdown()
      return { stopped: true }
    }
  }
}

let starting: Promise<unknown> | undefined
let stopping: Promise<void> | undefined
function shutdown (): Promise<void> {
  stopping ??= (async () => {
    const guard = setTimeout(() => { cleanup(); process.exit(1) }, 5_000)
    try {
      // a start in progress finishes first, so that what it creates is stopped and removed too
      await starting?.catch(() => {})
      await node?.stop()
    } catch (err) {
      console.error(`cluster-node ${process.pid}: stop failed: ${String(err)}`)
    } finally {
      clearTimeout(guard)
      cleanup()
    }
  })()
  return stopping
}
function cleanup (): void {
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
}

process.on('message', (message: RequestMessage) => {
  handle(message.req).then(
    result => {
      send({ id: message.id, ok: true, result })
      if (message.req.cmd === 'stop') setImmediate(() => process.exit(0))
    },
    err => { send({ id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }) }
  )
})
// The parent is gone (exited, crashed or killed): stop and leave no data dir behind.
process.on('disconnect', () => { void shutdown().finally(() => process.exit(0)) })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { void shutdown().finally(() => process.exit(0)) })

send({ ready: true })
