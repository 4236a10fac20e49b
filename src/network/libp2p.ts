import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { gossipsub, TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import { KEEP_ALIVE } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { peerIdFromString } from '@libp2p/peer-id'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { HivebenchError, ValidationError } from '../errors.js'
import { DEFAULT_GOSSIP_BUDGET, createGossipMeter } from './gossip-budget.js'
import { gossipOptions } from './gossip-options.js'
import { parseHiveKey } from './hive-key.js'
import { STREAM_BUFFERS, drained, pausedReader } from './stream-reader.js'
import { createSemaphore, createStreamGate, requestFrames, serveFrames, type ByteChannel } from './sync.js'
import {
  DEFAULT_SYNC_LIMITS, DEFAULT_SYNC_STREAMS, SYNC_PROTOCOL, SYNC_PROTOCOLS, hiveTopic, silentLogger,
  type HiveNetwork, type HiveNetworkOptions, type NetworkLogger, type SyncLimits, type Verdict
} from './types.js'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'

/**
 * The only module that knows libp2p (3.x) and @libp2p/gossipsub (17.x): moving to another
 * libp2p major changes this file and gossip-options.ts, nothing else.
 *
 * Stack: TCP, noise, yamux, identify, gossipsub, optionally pnet, bootstrap and mDNS. Nothing
 * that dials on its own beyond what the user configured: no default bootstrap list, no UPnP,
 * autonat, relay or dcutr, and no dnsaddr resolution (whose default resolver is DNS over HTTPS).
 */

/**
 * The router's public type (the GossipSub interface) leaves out the mesh and score queries
 * that the implementation has and that operators need (`hivebench peers`); they are checked
 * to exist when the node is built, so an upgrade that drops them fails loudly there.
 */
interface GossipRouter extends GossipSub {
  getMeshPeers(topic: string): string[]
  getScore(peerId: string): number
}

// a type alias, not an interface: ServiceMap needs the implicit index signature of object types
type Services = { identify: Identify, pubsub: GossipSub }

/** Loopback peers are this machine: exempt from the per-host inbound connection rate limit. */
const LOOPBACK_NETS = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128']
/** Simultaneous sync streams per connection: enough for overlapping syncs, bounded against floods. */
const SYNC_STREAMS_PER_CONNECTION = 4
/**
 * Bootstrap peers carry this tag (any tag starting with KEEP_ALIVE counts): the connection
 * pruner never closes them, and libp2p's reconnect queue redials one as soon as it drops,
 * with backoff, before our slower redial loop would.
 */
const BOOTSTRAP_TAG = `${KEEP_ALIVE}-hivebench-bootstrap`

const VERDICTS: Record<Verdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject
}

/** Builds a node (not started). Throws ValidationError/StateError for bad addresses, hive name or key. */
export async function createHiveNetwork (options: HiveNetworkOptions): Promise<HiveNetwork> {
  const log = options.logger ?? silentLogger
  const topic = hiveTopic(options.hive)
  if (!Number.isSafeInteger(options.maxMessageBytes) || options.maxMessageBytes < 1) {
    throw new ValidationError('maxMessageBytes', 'positive_integer', 'must be a positive integer')
  }
  const limits = syncLimits(options)
  const listen = options.listen.map(addr => parseAddr('listen', addr))
  const bootstrapAddrs = options.bootstrap.map(addr => parseAddr('bootstrap', addr, true))
  const psk = options.privateNetworkKey === undefined ? undefined : parseHiveKey(options.privateNetworkKey, 'privateNetworkKey')

  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (bootstrapAddrs.length > 0) {
    peerDiscovery.push(bootstrap({ list: bootstrapAddrs.map(String), timeout: 0, tagName: BOOTSTRAP_TAG }))
  }
  if (options.mdns) peerDiscovery.push(mdns({ serviceTag: '_hivebench._udp.local' }))

  const node: Libp2p<Services> = await createLibp2p<Services>({
    start: false,
    privateKey: options.privateKey,
    addresses: { listen: listen.map(String) },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    // every stream's window stays under its read buffer (stream-reader.ts): a paused stream holds at most 2 MiB
    streamMuxers: [yamux({ streamOptions: STREAM_BUFFERS })],
    connectionProtector: psk === undefined ? undefined : preSharedKey({ psk }),
    peerDiscovery,
    connectionManager: {
      resolvers: {},
      allow: LOOPBACK_NETS,
      // a peer with the wrong pnet key garbles the handshake into a read that never completes,
      // so a failed connection shows up as this timeout
      dialTimeout: options.connectTimeoutMs ?? 10_000,
      inboundUpgradeTimeout: options.connectTimeoutMs ?? 10_000
    },
    services: {
      identify: identify(),
      pubsub: gossipsub(gossipOptions(topic, options.maxMessageBytes, options.heartbeatIntervalMs ?? 1000))
    }
  })
  const self = node.peerId.toString()
  const pubsub = gossipRouter(node.services.pubsub)
  // the other side of our own bootstrap entry (a shared config listing every node) is us
  const redialList = bootstrapAddrs.flatMap((addr) => {
    const peer = peerIdOf(addr)
    return peer === undefined || peer === self ? [] : [{ addr, peer: peerIdFromString(peer) }]
  })
  let state: 'new' | 'started' | 'stopped' = 'new'
  let redialTimer: NodeJS.Timeout | undefined
  let starting: Promise<void> | undefined
  let stopping: Promise<void> | undefined

  const gossipMeter = createGossipMeter({ ...DEFAULT_GOSSIP_BUDGET, ...options.gossipBudget })
  pubsub.topicValidators.set(topic, async (peer, message) => {
    if (message.data.byteLength > options.maxMessageBytes) return TopicValidatorResult.Reject
    // a peer over its budget costs no validation (and no copy): ignored, without penalty
    if (!gossipMeter.take(peer.toString(), message.data.byteLength, Date.now())) return TopicValidatorResult.Ignore
    try {
      const verdict = await options.validate(plain(message.data), peer.toString())
      return Object.hasOwn(VERDICTS, verdict) ? VERDICTS[verdict] : TopicValidatorResult.Ignore
    } catch (err) {
      log.warn({ peer: peer.toString(), err: String(err) }, 'message validator threw; ignoring the message')
      return TopicValidatorResult.Ignore
    }
  })
  pubsub.addEventListener('gossipsub:message', (evt) => {
    const { msg, propagationSource } = evt.detail
    if (state !== 'started' || msg.topic !== topic) return
    guard(log, 'onMessage', () => { options.onMessage(plain(msg.data), propagationSource.toString()) })
  })

  // peer:connect fires when the first connection to a peer opens; the set keeps it to once
  // per connected spell even if events repeat.
  const connected = new Set<string>()
  node.addEventListener('peer:connect', (evt) => {
    const peer = evt.detail.toString()
    if (connected.has(peer)) return
    connected.add(peer)
    const address = bootstrapByPeer.get(peer)
    if (address !== undefined) {
      reportDial(address, null)
      setTimeout(() => { checkTopic(peer, address) }, topicCheckMs).unref()
    }
    if (state === 'started' && options.onPeerConnected !== undefined) {
      const callback = options.onPeerConnected
      guard(log, 'onPeerConnected', () => { callback(peer) })
    }
  })
  node.addEventListener('peer:disconnect', (evt) => { connected.delete(evt.detail.toString()) })
  if (options.mdns) {
    // libp2p (since 2.x) only records discovered peers; dialling them is up to us
    node.addEventListener('peer:discovery', (evt) => {
      if (state !== 'started' || node.getConnections(evt.detail.id).length > 0) return
      node.dial(evt.detail.id).catch((err) => { log.debug({ peer: evt.detail.id.toString(), err: String(err) }, 'mdns dial failed') })
    })
  }

  const streams = { ...DEFAULT_SYNC_STREAMS, ...options.syncStreams }
  const servedStreams = createStreamGate({ perPeer: streams.servedPerPeer, total: streams.servedTotal })
  const outboundSyncs = createSemaphore(streams.outbound)
  const syncProtocols = options.syncProtocols ?? SYNC_PROTOCOLS
  await node.handle(syncProtocols, (stream, connection) => {
    void serveFrames(channelOf(stream), connection.remotePeer.toString(), options.syncHandler, limits, log, servedStreams)
  }, { maxInboundStreams: SYNC_STREAMS_PER_CONNECTION, maxOutboundStreams: SYNC_STREAMS_PER_CONNECTION })

  // The bootstrap module dials its list once at start, and libp2p's reconnect queue only acts
  // on a disconnect and gives up (dropping the KEEP_ALIVE tag) after a few failed retries: so
  // a peer that was down at our start, or for longer than those retries, is redialled here.
  const reportDial = (address: string, error: Error | null): void => {
    if (options.onBootstrapDial !== undefined) guard(log, 'onBootstrapDial', () => { options.onBootstrapDial?.(address, error) })
  }
  const redial = (): void => {
    for (const { addr, peer } of redialList) {
      if (node.getConnections(peer).length > 0) continue
      node.dial(addr).catch((err) => {
        log.debug({ addr: addr.toString(), err: String(err) }, 'bootstrap dial failed')
        reportDial(addr.toString(), err instanceof Error ? err : new Error(String(err)))
      })
    }
  }
  // A bootstrap peer that connects but never subscribes to our topic runs another hive (gossipsub
  // drops other topics' subscriptions unread, so its hive name is unknown to us).
  const bootstrapByPeer = new Map(redialList.map(({ addr, peer }) => [peer.toString(), addr.toString()]))
  const topicCheckMs = Math.max(2000, 3 * (options.heartbeatIntervalMs ?? 1000))
  const checkTopic = (peer: string, address: string): void => {
    if (state !== 'started' || !connected.has(peer)) return
    if (pubsub.getSubscribers(topic).some(p => p.toString() === peer)) return
    reportDial(address, new HivebenchError('DIFFERENT_HIVE', `connected, but the peer is not subscribed to hive "${options.hive}" (it runs another --hive)`))
  }

  const requireStarted = (): void => {
    if (state !== 'started') throw new HivebenchError('NETWORK_NOT_STARTED', 'the network is not running')
  }

  return {
    peerId: self,
    topic,
    async start () {
      if (state !== 'new') throw new HivebenchError('NETWORK_STATE', `cannot start a network that was ${state}`)
      state = 'started'
      starting = (async () => { await node.start() })()
      try {
        await starting
      } catch (err) {
        state = 'stopped'
        throw err
      }
      if (state !== 'started') return // stop() was called meanwhile
      pubsub.subscribe(topic)
      if (redialList.length > 0) {
        // dial at once too, so that failures are reported from the first seconds
        redial()
        redialTimer = setInterval(redial, options.bootstrapRedialMs ?? 30_000)
        redialTimer.unref()
      }
      log.info({ peerId: self, topic, addrs: node.getMultiaddrs().map(String) }, 'network started')
    },
    async stop () {
      stopping ??= (async () => {
        state = 'stopped'
        clearInterval(redialTimer)
        // libp2p ignores stop() while starting: let a pending start finish first
        await starting?.catch(() => {})
        await node.stop()
      })()
      await stopping
    },
    async publish (message) {
      requireStarted()
      if (message.byteLength > options.maxMessageBytes) {
        throw new HivebenchError('MESSAGE_TOO_LARGE', `message of ${message.byteLength} bytes exceeds the ${options.maxMessageBytes}-byte limit`)
      }
      const result = await pubsub.publish(topic, message)
      return { recipients: result.recipients.length }
    },
    async requestSync (peerId, request, onFrame) {
      requireStarted()
      const checked = (bytes: Uint8Array): Uint8Array => {
        if (bytes.byteLength > limits.maxFrameBytes) {
          throw new HivebenchError('SYNC_LIMIT', `request of ${bytes.byteLength} bytes exceeds ${limits.maxFrameBytes}`)
        }
        return bytes
      }
      if (request instanceof Uint8Array) checked(request)
      const remote = toPeerId(peerId)
      return await outboundSyncs(async () => {
        const started = Date.now()
        const signal = AbortSignal.timeout(limits.timeoutMs)
        let stream: Stream
        try {
          // a request given as bytes is written in version 1; a builder gets the newest id both speak
          stream = await node.dialProtocol(remote, request instanceof Uint8Array ? [SYNC_PROTOCOL] : syncProtocols, { signal })
        } catch (err) {
          if (signal.aborted) throw new HivebenchError('SYNC_TIMEOUT', `no sync stream to ${peerId} within ${limits.timeoutMs} ms`)
          throw new HivebenchError('SYNC_FAILED', `cannot open a sync stream to ${peerId}: ${String(err)}`, { cause: err })
        }
        let bytes: Uint8Array
        try {
          bytes = checked(request instanceof Uint8Array ? request : request(stream.protocol))
        } catch (err) {
          stream.abort(err instanceof Error ? err : new Error(String(err)))
          throw err
        }
        // (building the request counts against the exchange's time, like the dial)
        const remainingMs = Math.max(1, limits.timeoutMs - (Date.now() - started))
        const tally = await requestFrames(channelOf(stream), bytes, { ...limits, timeoutMs: remainingMs }, onFrame)
        return { ...tally, protocolId: stream.protocol }
      })
    },
    async dial (addr) {
      requireStarted()
      const connection = await node.dial(parseAddr('multiaddr', addr, true))
      return connection.remotePeer.toString()
    },
    multiaddrs: () => node.getMultiaddrs().map(String),
    connectedPeers: () => node.getPeers().map(String),
    topicPeers: () => pubsub.getSubscribers(topic).map(String),
    meshPeers: () => pubsub.getMeshPeers(topic),
    peerScore: (peerId) => pubsub.getScore(peerId)
  }
}

function syncLimits (options: HiveNetworkOptions): SyncLimits {
  const limits: SyncLimits = {
    maxFrameBytes: options.sync?.maxFrameBytes ?? options.maxMessageBytes,
    maxFrames: options.sync?.maxFrames ?? DEFAULT_SYNC_LIMITS.maxFrames,
    maxTotalBytes: options.sync?.maxTotalBytes ?? DEFAULT_SYNC_LIMITS.maxTotalBytes,
    timeoutMs: options.sync?.timeoutMs ?? DEFAULT_SYNC_LIMITS.timeoutMs
  }
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ValidationError(`sync.${key}`, 'positive_integer', 'must be a positive integer')
    }
  }
  return limits
}

/**
 * A libp2p 3 stream as the sync layer's ByteChannel. The source reads only while the sync layer
 * pulls (pausedReader): a requester merging one frame holds the rest of the answer back at the
 * responder, so an answer of junk costs one frame and one window of memory, not the answer.
 * send() respects backpressure: send() returning false means wait for a drain (drained(), not
 * stream.onDrain(), which stops waiting after the first drain).
 */
function channelOf (stream: Stream): ByteChannel {
  return {
    source: pausedReader(stream),
    send: async (chunks) => {
      for await (const chunk of chunks) {
        if (!stream.send(chunk)) await drained(stream)
      }
      await stream.close()
    },
    abort: (err) => { stream.abort(err) }
  }
}

function gossipRouter (pubsub: GossipSub): GossipRouter {
  const router = pubsub as Partial<GossipRouter>
  if (typeof router.getMeshPeers !== 'function' || typeof router.getScore !== 'function') {
    throw new HivebenchError('NETWORK_STATE', 'this gossipsub version has no getMeshPeers/getScore')
  }
  return pubsub as GossipRouter
}

/**
 * gossipsub hands out Node Buffers that may be views into a larger RPC buffer: give the
 * application a standalone plain Uint8Array (a copy of at most maxMessageBytes).
 */
function plain (bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

function parseAddr (field: string, addr: string, needsPeerId = false): Multiaddr {
  let parsed: Multiaddr
  try {
    parsed = multiaddr(addr)
  } catch {
    throw new ValidationError(field, 'multiaddr', `"${addr}" is not a valid multiaddr`)
  }
  if (needsPeerId && peerIdOf(parsed) === undefined) {
    throw new ValidationError(field, 'peer_id', `"${addr}" must end in /p2p/<peer id>`)
  }
  return parsed
}

/** The last /p2p/<id> of an address, if any. */
function peerIdOf (addr: Multiaddr): string | undefined {
  return addr.getComponents().findLast(c => c.code === CODE_P2P)?.value
}

function toPeerId (peerId: string): PeerId {
  try {
    return peerIdFromString(peerId)
  } catch {
    throw new ValidationError('peerId', 'format', `"${peerId}" is not a peer id`)
  }
}

/** Application callbacks must not take the node down with them. */
function guard (log: NetworkLogger, what: string, fn: () => void): void {
  try {
    fn()
  } catch (err) {
    log.warn({ err: String(err) }, `${what} callback threw`)
  }
}
