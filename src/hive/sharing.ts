import type { Ed25519PrivateKey } from '@libp2p/interface'
import { encodeBatch, MAX_ENVELOPE_BYTES, ProtocolError, validateEnvelope, type RuleId } from '../protocol/index.js'
import type { EnvelopeKind, ExportResult } from '../store/exchange.js'
import type { Store } from '../store/store.js'
import { resolveWorkBits } from './work-bits.js'

/**
 * What became of one received envelope. This is the one adapter between protocol rules and
 * what the network does with a message: accepted -> ACCEPT, ignored -> IGNORE, rejected ->
 * REJECT (gossipsub then lowers the sending peer's score).
 */
export type EnvelopeVerdict =
  | { verdict: 'accepted', origin: string, seq: number, keysChanged: number }
  | { verdict: 'ignored' | 'rejected', rule: RuleId, reason: string }

export interface SharingOptions {
  store: Store
  privateKey: Ed25519PrivateKey
  /** when set, only these origins are merged (R9) */
  allowlist?: ReadonlySet<string>
  /** never merged (R9): origins this node forgot */
  denylist?: ReadonlySet<string>
  /** R24: the hive's identity work in bits; default resolveWorkBits() */
  workBits?: number
  now?: () => number
}

export interface Sharing {
  /**
   * Exports a delta (changed keys) or a snapshot (all live keys), envelopes of at most maxBytes.
   * `persist`, when given, runs inside the export's transaction: if it throws (a file that
   * cannot be written), nothing is exported and the change marks stay.
   */
  export: (kind: EnvelopeKind, maxBytes?: number, persist?: (envelopes: Uint8Array[]) => void) => ExportResult | null
  /** validates (every rule of protocol/README.md) and merges one envelope; never throws for bad bytes */
  receive: (bytes: Uint8Array, maxBytes?: number) => EnvelopeVerdict
}

export function createSharing (options: SharingOptions): Sharing {
  const { store, privateKey } = options
  const now = options.now ?? Date.now
  const workBits = resolveWorkBits(options.workBits)
  return {
    export: (kind, maxBytes = MAX_ENVELOPE_BYTES, persist) =>
      store.exchange.exportEnvelopes(kind, now(), batch => {
        const envelopes = encodeBatch(batch, privateKey, maxBytes)
        persist?.(envelopes)
        return envelopes
      }),

    receive (bytes, maxBytes = MAX_ENVELOPE_BYTES) {
      const nowMs = now()
      try {
        const envelope = validateEnvelope(bytes, { nowMs, retentionDays: store.retentionDays, allowlist: options.allowlist, denylist: options.denylist, workBits, limits: { maxBytes } })
        const merged = store.exchange.mergeEnvelope(envelope, nowMs)
        return merged.verdict === 'accepted'
          ? { verdict: 'accepted', origin: envelope.origin, seq: envelope.seq, keysChanged: merged.keysChanged }
          : { verdict: 'ignored', rule: merged.rule, reason: merged.reason }
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err
        return { verdict: err.verdict === 'REJECT' ? 'rejected' : 'ignored', rule: err.rule, reason: err.message }
      }
    }
  }
}
