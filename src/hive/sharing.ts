import type { Ed25519PrivateKey } from '@libp2p/interface'
import { encodeBatch, MAX_ENVELOPE_BYTES } from '../protocol/index.js'
import type { EnvelopeKind, ExportResult, Store } from '../store/index.js'

export interface SharingOptions {
  store: Store
  privateKey: Ed25519PrivateKey
  now?: () => number
}

export interface Sharing {
  /**
   * Exports a delta (changed keys) or a snapshot (all live keys), envelopes of at most maxBytes.
   * `persist`, when given, runs inside the export's transaction: if it throws (a file that
   * cannot be written), nothing is exported and the change marks stay.
   */
  export: (kind: EnvelopeKind, maxBytes?: number, persist?: (envelopes: Uint8Array[]) => void) => ExportResult | null
}

export function createSharing (options: SharingOptions): Sharing {
  const { store, privateKey } = options
  const now = options.now ?? Date.now
  return {
    export: (kind, maxBytes = MAX_ENVELOPE_BYTES, persist) =>
      store.exchange.exportEnvelopes(kind, now(), batch => {
        const envelopes = encodeBatch(batch, privateKey, maxBytes)
        persist?.(envelopes)
        return envelopes
      })
  }
}
