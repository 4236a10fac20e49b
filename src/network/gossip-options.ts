import { createHash } from 'node:crypto'
import { StrictNoSign, type GossipsubOpts } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'

/**
 * gossipsub configuration for a hive topic. Part of the libp2p wiring (only libp2p.ts imports
 * it); kept apart because every number here needs its reason next to it.
 */

/**
 * Headroom for control traffic and protobuf framing around messages in one RPC frame. One
 * RPC can also carry several full messages (an IWANT answer), hence the factor below: a
 * frame over the limit kills the whole inbound stream of that peer, so it must stay loose;
 * the exact per-message limit is enforced in the topic validator instead.
 */
const RPC_CONTROL_HEADROOM = 256 * 1024
const RPC_MESSAGES_PER_FRAME = 4

/** Invalid-delivery counters decay by this per second: a half-life of about 5 minutes. */
const INVALID_DECAY_PER_SECOND = 0.5 ** (1 / 300)

export function gossipOptions (topic: string, maxMessageBytes: number, heartbeatIntervalMs: number): Partial<GossipsubOpts> {
  return {
    // Hivebench envelopes are signed by their origin at the application level and may be
    // relayed by anyone, so a libp2p-level author signature would add bytes and prove
    // nothing the validator does not check. StrictNoSign also drops from/seqno, which
    // makes the message id purely a function of the bytes: sha256(data), so the same
    // envelope published twice, or relayed by several peers, is delivered once (within
    // seenTTL, 2 minutes; beyond that the CRDT merge is idempotent anyway).
    globalSignaturePolicy: StrictNoSign,
    msgIdFn: (msg) => createHash('sha256').update(msg.data).digest(),
    // A node alone in its hive still publishes; peers catch up later through sync.
    allowPublishToZeroTopicPeers: true,
    // Re-publishing identical bytes is a no-op (recipients 0), not an error.
    ignoreDuplicatePublishError: true,
    // We only speak gossipsub; floodsub peers would bypass the mesh and scoring.
    fallbackToFloodsub: false,
    allowedTopics: [topic],
    heartbeatInterval: heartbeatIntervalMs,
    maxInboundDataLength: RPC_MESSAGES_PER_FRAME * maxMessageBytes + RPC_CONTROL_HEADROOM,
    scoreParams: {
      topics: {
        [topic]: createTopicScoreParams({
          topicWeight: 1,
          // P1 time in mesh: +0.01 per second, capped at +3 after 5 minutes (quantum is in ms).
          timeInMeshWeight: 0.01,
          timeInMeshQuantum: 1000,
          timeInMeshCap: 300,
          // P2 first deliveries: +1 each, capped at +5, forgotten within about a minute.
          firstMessageDeliveriesWeight: 1,
          firstMessageDeliveriesDecay: 0.9,
          firstMessageDeliveriesCap: 5,
          // P3/P3b expect a steady message rate; a hive publishes a delta every few minutes,
          // so these would punish every quiet honest peer. Off.
          meshMessageDeliveriesWeight: 0,
          meshFailurePenaltyWeight: 0,
          // P4: -10 x (invalid count)^2. The positive terms are capped at 3 + 5 = 8, so one
          // REJECT makes a peer's score negative, 2 put it under the gossip threshold and 3
          // under the graylist threshold (all its RPCs ignored) until the counter decays.
          invalidMessageDeliveriesWeight: -10,
          invalidMessageDeliveriesDecay: INVALID_DECAY_PER_SECOND
        })
      },
      // Peers on this very machine are not a sybil signal (and local test hives and
      // benchmarks run many nodes on loopback): exempt them from the IP-colocation penalty.
      IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1'])
    },
    scoreThresholds: {
      gossipThreshold: -10,
      publishThreshold: -50,
      graylistThreshold: -80,
      // well below the positive cap of 8, so opportunistic grafting only replaces a mesh
      // whose median peer is doing badly
      opportunisticGraftThreshold: 1
    }
  }
}
