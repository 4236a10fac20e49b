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

/**
 * Every stateless rule (R1-R21) in order; the first failure throws a ProtocolError whose
 * verdict says whether to REJECT or IGNORE the message. The stateful rules R22 (already stored)
 * and R23 (superseded by a newer snapshot) are the store's.
 */
export function validateEnvelope (bytes: Uint8Array, ctx: ValidationContext): ValidEnvelope {
  const limits: DecodeLimits = {
    maxBytes: ctx.limits?.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    maxEntries: ctx.limits?.maxEntries ?? DEFAULT_LIMITS.maxEntries
  }
  const envelope = decodeEnvelope(bytes, limits) // R1-R7
  checkIdentityWork(originPublicKey(envelope.originBytes), ctx.workBits ?? 0) // R24: one hash, so before the signature
  verifyEnvelope(envelope) // R8
  // R9: after the signature, so only an authentic origin is judged by policy
  if (ctx.allowlist !== undefined && !ctx.allowlist.has(envelope.origin)) fail('R9', `${envelope.origin} is not in the allowlist`, 'origin')
  if (ctx.denylist?.has(envelope.origin) === true) fail('R9', `${envelope.origin} was forgotten by this node (hivebench forget)`, 'origin')
  // R10
  if (envelope.createdAtMs > ctx.nowMs + CLOCK_SKEW_MS) fail('R10', `${envelope.createdAtMs} is more than ${CLOCK_SKEW_MS} ms ahead of now (${ctx.nowMs})`, 'created_at_ms')
  const { entries, stale } = checkEntries(decodePayload(envelope.payload, limits), ctx) // R11-R21
  return { ...envelope, entries, staleEntries: stale }
}
