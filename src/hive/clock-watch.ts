import { CLOCK_SKEW_MS } from '../core/limits.js'
import type { DecodedEnvelope } from '../protocol/index.js'

/** One warning per origin per this long: a skewed peer publishes every few minutes. */
export const SKEW_WARNING_INTERVAL_MS = 10 * 60_000
/** Most origins remembered; the oldest warning is forgotten first. */
const MAX_TRACKED = 1024

export interface SkewWarning {
  /** the peer that delivered the envelope */
  peer: string
  origin: string
  /** created_at - our clock: positive, the origin's clock (or ours) is ahead of ours */
  skewMs: number
}

/**
 * Watches the clocks of the origins we hear from on gossip, where an envelope arrives seconds
 * after its origin created it: created_at minus our clock is then the two clocks' difference.
 * Beyond CLOCK_SKEW the node warns, naming the peer and the skew, on both sides: the node that
 * sees a peer ahead (whose envelopes it ignores under R10/R28) and the node that sees a peer
 * behind (the fast one, whose own envelopes its peers ignore). Envelopes from sync or files are
 * old by nature and are not watched.
 */
export function createClockWatch (warn: (w: SkewWarning) => void, now: () => number = Date.now): { observeGossip: (header: Pick<DecodedEnvelope, 'origin' | 'createdAtMs'>, fromPeer: string) => void } {
  const lastWarned = new Map<string, number>()
  return {
    // the receive pipeline's own decode (ReceiverOptions.onDecoded): no second decode per message
    observeGossip (header, fromPeer) {
      const nowMs = now()
      const skewMs = header.createdAtMs - nowMs
      if (Math.abs(skewMs) <= CLOCK_SKEW_MS) return
      const last = lastWarned.get(header.origin)
      if (last !== undefined && nowMs - last < SKEW_WARNING_INTERVAL_MS) return
      lastWarned.delete(header.origin)
      lastWarned.set(header.origin, nowMs)
      if (lastWarned.size > MAX_TRACKED) lastWarned.delete(lastWarned.keys().next().value as string)
      warn({ peer: fromPeer, origin: header.origin, skewMs })
    }
  }
}
