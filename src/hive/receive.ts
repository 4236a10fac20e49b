import type { Logger } from 'pino'
import {
  checkIdentityWorkOf, decodeEnvelope, decodeLimits, MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES, ProtocolError, RULES,
  validateDecoded, verdictOf, type DecodedEnvelope, type RuleId, type Verdict
} from '../protocol/index.js'
import { DEFAULT_ORIGIN_BOUNDS, type OriginBounds, type Store } from '../store/index.js'
import { createRejectLimiter, type RejectLimiterOptions } from './reject-limiter.js'
import { createOriginAdmission, type AdmissionLimits } from './admission.js'
import { resolveWorkBits } from './work-bits.js'

/** Local policy ahead of the rules: a sender blocked for repeated REJECTs is dropped unread. */
export interface Dropped { verdict: 'dropped', reason: 'peer_blocked' | 'origin_blocked' | 'origin_not_admitted' }
/** A received envelope's fate: the protocol's verdict, or dropped unread. */
export type Received = Verdict | Dropped

/** Where an envelope came from: its size limit (R1) depends on it, and the peer that sent it pays for REJECTs. */
export interface Source {
  via: 'gossip' | 'sync' | 'file'
  /** the peer that sent or relayed it; none for files */
  peer?: string
  /** R1's bound, when not the source's own (MAX_GOSSIP_BYTES for gossip, else MAX_ENVELOPE_BYTES): `import-delta --max-bytes` */
  maxBytes?: number
}

export interface ReceiverOptions {
  store: Pick<Store, 'exchange' | 'retentionDays'>
  /** R9: only these origins are merged */
  allowlist?: ReadonlySet<string>
  /** R9: never merged: origins this node forgot (hivebench forget) */
  denylist?: ReadonlySet<string>
  /** R29, R30: the keys and the arms per task type kept per origin; default the protocol's (tests and vectors lower them) */
  originBounds?: Partial<OriginBounds>
  /** R24: the hive's identity work in bits; default resolveWorkBits() */
  workBits?: number
  /** REJECTs after which a peer (or an authentic origin) is dropped unread; default 20, half-life 10 min */
  rejectLimits?: RejectLimiterOptions
  /** new origins one peer may introduce over gossip (admission.ts); default DEFAULT_ADMISSION */
  admission?: AdmissionLimits
  now?: () => number
  logger?: Pick<Logger, 'warn' | 'debug'>
  /** called with every verdict (metrics) */
  onVerdict?: (received: Received, source: Source) => void
  /** called with every envelope that decodes (R1-R7), before any other check (the clock watch) */
  onDecoded?: (envelope: DecodedEnvelope, source: Source) => void
}

export interface Receiver {
  /** validates and merges one envelope from any source; never throws for bad bytes */
  receive: (bytes: Uint8Array, source?: Source) => Received
  /** verdict counts since the receiver was made, keyed `verdict` or `verdict:rule` */
  counts: () => Record<string, number>
  /** limiter keys (`peer:<id>`, `origin:<id>`) blocked now */
  blocked: () => string[]
  /** new origins refused admission so far */
  notAdmitted: () => number
}

/**
 * Breaking one of these proves the origin itself signed bad data: they are checked after the
 * signature (R8) and carry REJECT. Read off the RULES table, so a new rule falls in by its number.
 */
const ORIGIN_AT_FAULT = new Set(Object.entries(RULES).filter(([id, r]) => Number(id.slice(1)) > 8 && r.verdict === 'REJECT').map(([id]) => id))

/**
 * REJECTs whose bound is the receiving node's own setting (R1's size limit, R24's identity work):
 * an honest peer may hold and serve such envelopes (accepted under an older or other setting), so
 * in a sync answer they neither end the exchange nor count against the peer.
 */
export const SETTING_RULES: ReadonlySet<string> = new Set(['R1', 'R24'])

const FROM_FILE: Source = { via: 'file' }

/**
 * The one receive pipeline, for gossip, sync and envelope files alike, in the order of
 * protocol/README.md ("Receiving"). The envelope is decoded once:
 *
 *   blocked peer -> R1-R7 (decode) -> R24 (identity work) -> blocked origin -> origin admission (gossip)
 *   -> the stateful rules R25 (our own origin), R23, R22 (stored already: the common case on gossip),
 *   R26, R27 (a few indexed reads) -> R8 (signature) -> R9-R21 -> merge (the stateful rules again,
 *   inside the write transaction, then R29 and R30: new keys and arms within the origin's bounds).
 *
 * Forged envelopes count against the peer that sent them, never against the origin they claim,
 * so nobody can get an honest origin blocked.
 */
export function createReceiver (options: ReceiverOptions): Receiver {
  const { store } = options
  const now = options.now ?? Date.now
  const workBits = resolveWorkBits(options.workBits)
  const limiter = createRejectLimiter(options.rejectLimits)
  const admission = createOriginAdmission(origin => store.exchange.knowsOrigin(origin), options.admission)
  const counts: Record<string, number> = {}
  const bounds: OriginBounds = { ...DEFAULT_ORIGIN_BOUNDS, ...options.originBounds }

  const judge = (bytes: Uint8Array, source: Source, nowMs: number): Received => {
    const peerKey = source.peer === undefined ? undefined : `peer:${source.peer}`
    if (peerKey !== undefined && limiter.blocked(peerKey, nowMs)) return { verdict: 'dropped', reason: 'peer_blocked' }
    let origin: string | undefined
    try {
      // R1's bound depends on the source (protocol/README.md, R1)
      const limits = decodeLimits({ maxBytes: source.maxBytes ?? (source.via === 'gossip' ? MAX_GOSSIP_BYTES : MAX_ENVELOPE_BYTES) })
      const envelope = decodeEnvelope(bytes, limits) // R1-R7
      options.onDecoded?.(envelope, source)
      checkIdentityWorkOf(envelope, workBits) // R24: one hash
      origin = envelope.origin
      if (limiter.blocked(`origin:${origin}`, nowMs)) return { verdict: 'dropped', reason: 'origin_blocked' }
      // a gossip peer introduces new origins at a bounded rate (a sync answer is bounded per exchange)
      if (source.via === 'gossip' && source.peer !== undefined && !admission.admit(origin, source.peer, nowMs)) return { verdict: 'dropped', reason: 'origin_not_admitted' }
      const redundant = store.exchange.redundant(origin, envelope) // R25, R23, R22, R26, R27
      if (redundant !== null) return { verdict: 'ignored', ...redundant }
      const valid = validateDecoded(envelope, { nowMs, retentionDays: store.retentionDays, allowlist: options.allowlist, denylist: options.denylist, limits }) // R8-R21
      const merged = store.exchange.mergeEnvelope(valid, nowMs, bounds) // the stateful rules again inside the write transaction; R29, R30
      if ('rule' in merged) return { verdict: 'ignored', ...merged }
      return { verdict: 'accepted', origin, seq: valid.seq, keysChanged: merged.keysChanged }
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      const verdict = verdictOf(err)
      if (verdict.verdict === 'rejected') {
        // a sync peer serving an origin that only this node's own bound refuses is not at fault
        if (peerKey !== undefined && !(source.via === 'sync' && SETTING_RULES.has(verdict.rule))) limiter.note(peerKey, nowMs)
        if (origin !== undefined && ORIGIN_AT_FAULT.has(verdict.rule)) limiter.note(`origin:${origin}`, nowMs)
      }
      return verdict
    }
  }

  return {
    receive (bytes, source = FROM_FILE) {
      const received = judge(bytes, source, now())
      const key = countKey(received)
      counts[key] = (counts[key] ?? 0) + 1
      if (received.verdict === 'rejected') options.logger?.warn({ ...source, rule: received.rule, reason: received.reason }, 'rejected envelope')
      else options.logger?.debug({ ...source, ...received }, 'envelope')
      options.onVerdict?.(received, source)
      return received
    },
    counts: () => ({ ...counts }),
    blocked: () => limiter.blockedKeys(now()),
    notAdmitted: admission.refused
  }
}

/** The rule behind a verdict (or why it was dropped); undefined when accepted. */
export function ruleOf (r: Received): RuleId | Dropped['reason'] | undefined {
  return r.verdict === 'accepted' ? undefined : r.verdict === 'dropped' ? r.reason : r.rule
}

function countKey (r: Received): string {
  const rule = ruleOf(r)
  return rule === undefined ? r.verdict : `${r.verdict}:${rule}`
}

/**
 * The one mapping to gossipsub's verdicts (Lodestar's gossipValidatorFn does the same at its
 * network boundary). A blocked peer keeps being penalised; a blocked origin's relayer is not,
 * since the relayer may be honest.
 */
export function gossipVerdictOf (r: Received): 'accept' | 'ignore' | 'reject' {
  if (r.verdict === 'accepted') return 'accept'
  if (r.verdict === 'rejected' || (r.verdict === 'dropped' && r.reason === 'peer_blocked')) return 'reject'
  return 'ignore'
}
