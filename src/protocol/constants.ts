import { MAX_COST_USD, MAX_DURATION_S } from '../core/limits.js'

/**
 * Normative constants of the hivebench wire protocol, version 1 (protocol/README.md).
 * The gossip topic and the sync protocol id live with the network (src/network/types.ts).
 */

export const PROTOCOL_VERSION = 1

/** Prefix of every signing input: binds signatures to this protocol and version, so a signature can never be replayed as one over another kind of message. */
export const SIGNING_DOMAIN = 'hivebench/envelope/v1\0'

export const KINDS = ['delta', 'snapshot'] as const
export type EnvelopeKind = typeof KINDS[number]

/** Largest envelope in a file or a sync response. */
export const MAX_ENVELOPE_BYTES = 1024 * 1024
/** Largest envelope published over gossip: smaller messages spread through the mesh faster. */
export const MAX_GOSSIP_BYTES = 256 * 1024
/** Most entries in one envelope: bounds the validation work one message can cost. */
export const MAX_ENTRIES = 16_384
/** Most parts one batch (for example a snapshot) may be split into. */
export const MAX_PARTS = 1024
/** An Ed25519 signature. */
export const SIGNATURE_BYTES = 64
/** Integers of a payload entry before its histogram pairs (protocol/README.md, "Payload"). */
export const ENTRY_FIXED = 15
/** R18: longest duration one outcome may contribute, in ms (7 days: protocol/README.md, "Parameters"). */
export const MAX_DURATION_MS = MAX_DURATION_S * 1000
/** R18: largest cost one outcome may contribute, in micro-USD. */
export const MAX_COST_MICROS = MAX_COST_USD * 1_000_000

export interface DecodeLimits {
  /** R1: largest accepted envelope in bytes (MAX_GOSSIP_BYTES for gossip, MAX_ENVELOPE_BYTES otherwise) */
  maxBytes: number
  /** R12: most entries per envelope */
  maxEntries: number
}

export const DEFAULT_LIMITS: DecodeLimits = { maxBytes: MAX_ENVELOPE_BYTES, maxEntries: MAX_ENTRIES }
