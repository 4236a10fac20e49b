import { createRejectLimiter, type RejectLimiterOptions } from './reject-limiter.js'
import { decodeEnvelope, MAX_ENTRIES, RULES, type RuleId } from '../protocol/index.js'
import type { EnvelopeVerdict, Sharing } from './sharing.js'
import type { OriginAdmission } from './admission.js'

/** A received envelope's fate: a protocol verdict, or dropped unread because its sender is blocked. */
export type Received = EnvelopeVerdict | { verdict: 'dropped', reason: 'peer_blocked' | 'origin_blocked' | 'origin_not_admitted' }

/** Map to gossipsub's verdict: a blocked peer keeps being penalised; a blocked origin's relayer is not. */
export function gossipVerdictOf (r: Received): 'accept' | 'ignore' | 'reject' {
  if (r.verdict === 'accepted') return 'accept'
  if (r.verdict === 'rejected' || (r.verdict === 'dropped' && r.reason === 'peer_blocked')) return 'reject'
  return 'ignore'
}

// Rules checked after the signature (R8): breaking one proves the origin itself signed bad data.
const AFTER_SIGNATURE = new Set(Object.keys(RULES).filter(r => Number(r.slice(1)) > 8))

/**
 * The one place network input meets the protocol: blocks peers (and authentic origins) that
 * keep sending REJECTed envelopes before any signature check or payload decoding, then runs
 * the full validation and merge. Forged envelopes count against the peer that sent them, never
 * against the origin they claim, so nobody can get an honest origin blocked.
 */
export function createReceiveGuard (sharing: Sharing, limits?: RejectLimiterOptions, now: () => number = Date.now, admission?: OriginAdmission): {
  /** `rateLimited`: new origins count against the peer's admission (gossip; a sync answer is bounded per exchange) */
  receive: (bytes: Uint8Array, maxBytes: number, fromPeer: string, rateLimited?: boolean) => Received
  blocked: () => string[]
} {
  const limiter = createRejectLimiter(limits)
  const claimedOrigin = (bytes: Uint8Array, maxBytes: number): string | undefined => {
    try {
      return decodeEnvelope(bytes, { maxBytes, maxEntries: MAX_ENTRIES }).origin
    } catch {
      return undefined
    }
  }
  return {
    receive (bytes, maxBytes, fromPeer, rateLimited = false) {
      const nowMs = now()
      if (limiter.blocked(`peer:${fromPeer}`, nowMs)) return { verdict: 'dropped', reason: 'peer_blocked' }
      const origin = claimedOrigin(bytes, maxBytes)
      if (origin !== undefined && limiter.blocked(`origin:${origin}`, nowMs)) return { verdict: 'dropped', reason: 'origin_blocked' }
      if (rateLimited && origin !== undefined && admission !== undefined && !admission.admit(origin, fromPeer, nowMs)) return { verdict: 'dropped', reason: 'origin_not_admitted' }
      const v = sharing.receive(bytes, maxBytes)
      if (v.verdict === 'rejected') {
        limiter.note(`peer:${fromPeer}`, nowMs)
        if (origin !== undefined && AFTER_SIGNATURE.has(v.rule as RuleId)) limiter.note(`origin:${origin}`, nowMs)
      }
      return v
    },
    blocked: () => limiter.blockedKeys(now())
  }
}
