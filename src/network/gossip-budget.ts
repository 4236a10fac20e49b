import { createTokenBuckets } from '../core/token-buckets.js'

/**
 * How much gossip one peer may have validated per second, counted in bytes (a token bucket per
 * peer). Validating a message costs in proportion to its size (decoding, the signature over it,
 * merging its entries), so bytes are the fair unit; each message is charged at least
 * `minChargeBytes`, so floods of tiny messages count too. Over its budget, a peer's messages are
 * ignored unread: no penalty (an honest relay of a busy hive is not misbehaving, and what it
 * relays comes again by sync), nothing relayed onwards.
 *
 * Default sizing: a hive of 10,000 nodes each publishing a delta of a few KB every five minutes
 * relays ~33 messages (~100 KB) per second through a mesh peer; the budget is five times that,
 * and its burst holds eight messages of the largest gossip size (256 KiB).
 */
export interface GossipBudget {
  /** sustained bytes per second one peer may have validated */
  bytesPerSecond: number
  /** the bucket's size: bytes one peer may have validated at once */
  burstBytes: number
  /** what the smallest message is charged */
  minChargeBytes: number
}

export const DEFAULT_GOSSIP_BUDGET: GossipBudget = { bytesPerSecond: 512 * 1024, burstBytes: 2 * 1024 * 1024, minChargeBytes: 1024 }

export interface GossipMeter {
  /** true: validate the message; false: the peer is over its budget, ignore the message */
  take: (peer: string, bytes: number, nowMs: number) => boolean
  /** messages ignored for being over budget so far */
  overBudget: () => number
}

export function createGossipMeter (budget: GossipBudget = DEFAULT_GOSSIP_BUDGET): GossipMeter {
  const buckets = createTokenBuckets({ perSecond: budget.bytesPerSecond, burst: budget.burstBytes })
  let over = 0
  return {
    take (peer, bytes, nowMs) {
      if (buckets.take(peer, Math.max(budget.minChargeBytes, bytes), nowMs)) return true
      over++
      return false
    },
    overBudget: () => over
  }
}
