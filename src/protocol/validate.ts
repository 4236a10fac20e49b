import { CLOCK_SKEW_MS } from '../core/limits.js'
import { DEFAULT_LIMITS, type DecodeLimits } from './constants.js'
import { checkEntries } from './entries.js'
import { decodeEnvelope, verifyEnvelope, type DecodedEnvelope } from './envelope.js'
import { fail } from './errors.js'
import { checkIdentityWork } from './identity-work.js'
import { originPublicKey } from './origin.js'
import { decodePayload } from './payload.js'
import type { CounterEntry } from '../core/types.js'

export interface ValidationContext {
  nowMs: number
  /** R21: days before the retention window are stale */
  retentionDays: number
  /** R9: when set, only these origins (peer id strings) are merged */
  allowlist?: ReadonlySet<string>
  /** R9: these origins (peer id strings) are never merged (origins this node forgot) */
  denylist?: ReadonlySet<string>
  /** R24: leading zero bits the origin key's SHA-256 must carry (a hive parameter); 0 or absent: no check */
  workBits?: number
  /** R1/R12 bounds; gossip passes { maxBytes: MAX_GOSSIP_BYTES } */
  limits?: Partial<DecodeLimits>
}

export interface ValidEnvelope extends DecodedEnvelope {
  /** the entries to merge: those inside the retention window */
  entries: CounterEntry[]
  /** entries skipped as older than the retention window (R21) */
  staleEntries: number
}

export function decodeLimits (limits?: Partial<DecodeLimits>): DecodeLimits {
  return {
    maxBytes: limits?.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    maxEntries: limits?.maxEntries ?? DEFAULT_LIMITS.maxEntries
  }
}

/**
 * Every stateless rule (R1-R21, R24) in order; the first failure throws a ProtocolError whose
 * verdict says whether to REJECT or IGNORE the message. A receiver that stores envelopes runs
 * decodeEnvelope (R1-R7), checkIdentityWorkOf (R24), its stateful rules R22/R23, then
 * validateDecoded (R8-R21) instead, so a duplicate costs no signature check (protocol/README.md,
 * "Receiving").
 */
export function validateEnvelope (bytes: Uint8Array, ctx: ValidationContext): ValidEnvelope {
  const envelope = decodeEnvelope(bytes, decodeLimits(ctx.limits)) // R1-R7
  checkIdentityWorkOf(envelope, ctx.workBits ?? 0) // R24
  return validateDecoded(envelope, ctx)
}

/** R24 of a decoded envelope: its origin key carries the hive's identity work (one hash, so before the signature). */
export function checkIdentityWorkOf (envelope: DecodedEnvelope, workBits: number): void {
  checkIdentityWork(originPublicKey(envelope.originBytes), workBits)
}

/** R8-R21 of an envelope that passed R1-R7 (decodeEnvelope) and R24 (checkIdentityWorkOf). */
export function validateDecoded (envelope: DecodedEnvelope, ctx: Omit<ValidationContext, 'workBits'>): ValidEnvelope {
  verifyEnvelope(envelope) // R8
  // R9: after the signature, so only an authentic origin is judged by policy
  if (ctx.allowlist !== undefined && !ctx.allowlist.has(envelope.origin)) fail('R9', `${envelope.origin} is not in the allowlist`, 'origin')
  if (ctx.denylist?.has(envelope.origin) === true) fail('R9', `${envelope.origin} was forgotten by this node (hivebench forget)`, 'origin')
  // R10
  if (envelope.createdAtMs > ctx.nowMs + CLOCK_SKEW_MS) fail('R10', `${envelope.createdAtMs} is more than ${CLOCK_SKEW_MS} ms ahead of now (${ctx.nowMs})`, 'created_at_ms')
  const { entries, stale } = checkEntries(decodePayload(envelope.payload, decodeLimits(ctx.limits)), ctx) // R11-R21
  return { ...envelope, entries, staleEntries: stale }
}
