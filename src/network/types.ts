import { ValidationError } from '../errors.js'
import { SYNC } from '../protocol/frames.js'
import type { GossipBudget } from './gossip-budget.js'
import type { PrivateKey } from '@libp2p/interface'

/**
 * The transport-agnostic face of the network: opaque bytes in and out. Nothing here knows
 * about envelopes, stores or libp2p internals (the PrivateKey type is just the identity key).
 */

/** What the application decides about a gossip message; 'reject' penalises the sending peer. */
export type Verdict = 'accept' | 'ignore' | 'reject'

/** Answers one sync request with the response frames, streamed or all at once. */
export type SyncHandler = (request: Uint8Array, fromPeer: string) =>
AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Promise<Iterable<Uint8Array>>

/** pino-compatible subset, so a pino logger can be passed as is. */
export interface NetworkLogger {
  debug(fields: object, msg: string): void
  info(fields: object, msg: string): void
  warn(fields: object, msg: string): void
}

export interface SyncLimits {
  /** largest frame (request or response) in bytes; default: maxMessageBytes */
  maxFrameBytes: number
  /** most response frames one request may return */
  maxFrames: number
  /** most response bytes one request may return */
  maxTotalBytes: number
  /** whole exchange, dialling included */
  timeoutMs: number
}

export interface HiveNetworkOptions {
  /** Ed25519 key: the node's persistent identity (its peer id) */
  privateKey: PrivateKey
  /** multiaddrs to listen on, e.g. '/ip4/127.0.0.1/tcp/0' */
  listen: string[]
  /** peers to dial at start and redial while disconnected; each must end in /p2p/<peer id> */
  bootstrap: string[]
  /** hive name: selects the gossip topic `/hivebench/1/<hive>/deltas` */
  hive: string
  /** LAN discovery by multicast DNS; off unless asked for */
  mdns: boolean
  /** pre-shared key in swarm.key v1 format (see hive-key.ts): only holders can connect */
  privateNetworkKey?: Uint8Array
  /** largest gossip message accepted or published, in bytes */
  maxMessageBytes: number
  /** may be async; a throw counts as 'ignore' (our bug, not the peer's) */
  validate(message: Uint8Array, fromPeer: string): Verdict | Promise<Verdict>
  /** called once per accepted message; fromPeer is the peer that relayed it to us */
  onMessage(message: Uint8Array, fromPeer: string): void
  /** serves requests on every `syncProtocols` id (the request's version field says how to read it) */
  syncHandler: SyncHandler
  /** sync protocol ids served and offered, newest first. Default SYNC_PROTOCOLS; [SYNC_PROTOCOL] acts as a node older than r2.2 */
  syncProtocols?: string[]
  /** once per peer each time it goes from no connection to connected */
  onPeerConnected?(peerId: string): void
  /**
   * Every dial of a bootstrap address, as a transport fact: the address and the error (null:
   * connected). A peer that connects but is subscribed to another hive's topic, not ours, is
   * reported with a HivebenchError of code DIFFERENT_HIVE. See dialFailure() for the reason in words.
   */
  onBootstrapDial?(address: string, error: Error | null): void
  /** gossip bytes one peer may have validated per second (gossip-budget.ts); over it, ignored unread */
  gossipBudget?: Partial<GossipBudget>
  sync?: Partial<SyncLimits>
  syncStreams?: Partial<SyncStreamBounds>
  /** gossipsub heartbeat; also how long a peer score stays cached. Default 1000. */
  heartbeatIntervalMs?: number
  /** how long opening a connection (dial, pnet, noise, yamux) may take. Default 10000. */
  connectTimeoutMs?: number
  /**
   * how often bootstrap peers we are not connected to are redialled. Default 30000. (A peer
   * that drops is also redialled at once by libp2p, with backoff, for a few tries.)
   */
  bootstrapRedialMs?: number
  logger?: NetworkLogger
}

export interface HiveNetwork {
  readonly peerId: string
  readonly topic: string
  /** starts listening, subscribes to the topic and dials the bootstrap peers; once only */
  start(): Promise<void>
  /** safe to call any number of times, before or after start */
  stop(): Promise<void>
  /** no connected peer is not an error: recipients is then 0 (so are re-publishes of identical bytes) */
  publish(message: Uint8Array): Promise<{ recipients: number }>
  /**
   * One sync exchange: each response frame goes to `onFrame` as it arrives (nothing more is read
   * while it works, so memory stays at one frame); resolves with the tally. At most
   * `syncStreams.outbound` exchanges run at once, the others wait. Rejects with HivebenchError
   * SYNC_TIMEOUT / SYNC_LIMIT / SYNC_PROTOCOL / SYNC_FAILED. `request` is the request frame, or
   * (to speak the newest version both sides know) a function of the protocol id the stream
   * negotiated among SYNC_PROTOCOLS, called once the stream is open; the tally names that id.
   */
  requestSync(peerId: string, request: Uint8Array | ((protocolId: string) => Uint8Array), onFrame: (frame: Uint8Array) => void | Promise<void>): Promise<{ frames: number, bytes: number, protocolId: string }>
  /** dials a multiaddr (with /p2p/<id>) and returns the remote peer id */
  dial(multiaddr: string): Promise<string>
  multiaddrs(): string[]
  connectedPeers(): string[]
  /** connected peers subscribed to our topic */
  topicPeers(): string[]
  /** peers in our gossipsub mesh for the topic (those we forward to) */
  meshPeers(): string[]
  /** gossipsub score of a peer as this node sees it; 0 for unknown peers */
  peerScore(peerId: string): number
}

/**
 * How many sync streams run at once. Served: each holds at most one response frame plus the
 * muxer's send window (yamux: 256 KiB), so 16 x (1 MiB + 256 KiB) = 20 MiB is the most the
 * answers can hold in memory whatever the peers do. Outbound: each holds one frame being merged.
 */
export interface SyncStreamBounds {
  servedPerPeer: number
  servedTotal: number
  outbound: number
}

export const DEFAULT_SYNC_STREAMS: SyncStreamBounds = { servedPerPeer: 2, servedTotal: 16, outbound: 4 }

export const SYNC_PROTOCOL = SYNC.protocolId

/** Every sync protocol id this node serves, newest first: a requester offers them in this order. */
export const SYNC_PROTOCOLS = [SYNC.compactProtocolId, SYNC.protocolId]

const HIVE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** The gossip topic of a hive; the name must be 1..64 of [A-Za-z0-9._-], starting alphanumeric. */
export function hiveTopic (hive: string): string {
  if (!HIVE_NAME.test(hive)) {
    throw new ValidationError('hive', 'format', 'must be 1..64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit')
  }
  return `/hivebench/1/${hive}/deltas`
}

export const DEFAULT_SYNC_LIMITS: Omit<SyncLimits, 'maxFrameBytes'> = {
  maxFrames: SYNC.maxFrames,
  maxTotalBytes: SYNC.maxTotalBytes,
  timeoutMs: SYNC.timeoutMs
}

export const silentLogger: NetworkLogger = {
  debug () {},
  info () {},
  warn () {}
}
