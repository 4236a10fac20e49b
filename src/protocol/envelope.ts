import { KINDS, MAX_PARTS, PROTOCOL_VERSION, DEFAULT_LIMITS, type DecodeLimits, type EnvelopeKind } from './constants.js'
import { fail } from './errors.js'
import { isBytes, pack, toInt, unpackStrict, type WireValue } from './msgpack.js'
import { checkSignature, originBytesOf, parseOrigin, signBody } from './origin.js'
import { payloadWire } from './payload.js'
import type { CounterEntry } from '../core/types.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'

/**
 * Envelope = `[version, body: bin, signature: bin]`, body = `[origin, seq, kind, created_at_ms,
 * part, parts, payload: bin]` (protocol/README.md). The body travels as opaque bytes so the
 * signature covers exactly what was received: a verifier never re-encodes anything, and
 * envelopes are stored and relayed byte for byte.
 */

export interface EnvelopeHeader {
  /** per-origin sequence number, >= 1, strictly increasing */
  seq: number
  kind: EnvelopeKind
  createdAtMs: number
  /** this envelope is part `part` (0-based) of `parts` published together with seqs seq-part .. seq-part+parts-1 */
  part: number
  parts: number
}

export interface EnvelopeInput extends Partial<Pick<EnvelopeHeader, 'part' | 'parts'>>, Omit<EnvelopeHeader, 'part' | 'parts'> {
  entries: readonly CounterEntry[]
}

export interface DecodedEnvelope extends EnvelopeHeader {
  version: typeof PROTOCOL_VERSION
  /** origin peer id (base58btc string) */
  origin: string
  originBytes: Uint8Array
  /** the signed bytes, as received */
  body: Uint8Array
  /** still encoded: decodePayload() reads it */
  payload: Uint8Array
  signature: Uint8Array
  /** the whole envelope, as received: what is stored and relayed */
  bytes: Uint8Array
}

/** The body of an envelope as a wire value: the origin's multihash bytes, the header, the encoded payload. */
export function bodyWire (originBytes: Uint8Array, header: EnvelopeHeader, payload: Uint8Array): WireValue {
  return [originBytes, header.seq, KINDS.indexOf(header.kind), header.createdAtMs, header.part, header.parts, payload]
}

/** Signs `body` and wraps it: the envelope bytes. */
export function sealEnvelope (body: Uint8Array, privateKey: Ed25519PrivateKey): Uint8Array {
  return pack([PROTOCOL_VERSION, body, signBody(body, privateKey)])
}

/**
 * Encodes and signs one envelope with the origin's key. The entries are not validated here: they
 * come from the node's own store, which the receiver-side rules (validateEnvelope) mirror.
 */
export function encodeEnvelope (input: EnvelopeInput, privateKey: Ed25519PrivateKey): Uint8Array {
  const header: EnvelopeHeader = { seq: input.seq, kind: input.kind, createdAtMs: input.createdAtMs, part: input.part ?? 0, parts: input.parts ?? 1 }
  const payload = pack(payloadWire(input.entries))
  return sealEnvelope(pack(bodyWire(originBytesOf(privateKey), header, payload)), privateKey)
}

/**
 * R1-R7: the structure, header and origin of an envelope, without the signature check (see
 * verifyEnvelope) or the payload (see decodePayload). Cheap, so a store can run its stateful
 * checks (R22, R23) before any further work. Throws ProtocolError only.
 */
export function decodeEnvelope (bytes: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS): DecodedEnvelope {
  // R1: before any decoding
  if (bytes.length > limits.maxBytes) fail('R1', `${bytes.length} bytes, at most ${limits.maxBytes} allowed`, 'envelope')
  // R2: well-formed msgpack subset, an array led by an integer version
  const outer = unpackStrict(bytes, 1, 'R2', 'envelope')
  if (!Array.isArray(outer) || outer.length === 0) fail('R2', 'must be an array led by the version', 'envelope')
  const version = toInt(outer[0])
  if (version === undefined) fail('R2', 'must be an integer', 'version')
  // R3: versions we do not speak are not this node's to judge
  if (version !== PROTOCOL_VERSION) fail('R3', `unknown version ${version}`, 'version')
  // R4: [1, body: bin, signature: bin], body = [bin, int, int, int, int, int, bin]
  if (outer.length !== 3 || !isBytes(outer[1]) || !isBytes(outer[2])) fail('R4', 'must be [version, body: bin, signature: bin]', 'envelope')
  const body: Uint8Array = outer[1]
  const fields = unpackStrict(body, 1, 'R4', 'body')
  if (!Array.isArray(fields) || fields.length !== 7) fail('R4', 'must be [origin, seq, kind, created_at_ms, part, parts, payload]', 'body')
  const [originBytes, ...rest] = fields as unknown[]
  const payload = rest[5]
  const [seq, kindCode, createdAtMs, part, parts] = rest.slice(0, 5).map(toInt)
  if (!isBytes(originBytes)) fail('R4', 'must be bin', 'origin')
  if (!isBytes(payload)) fail('R4', 'must be bin', 'payload')
  if (seq === undefined || kindCode === undefined || createdAtMs === undefined || part === undefined || parts === undefined) {
    fail('R4', 'seq, kind, created_at_ms, part and parts must be integers', 'body')
  }
  // R5
  const kind = KINDS[kindCode]
  if (kind === undefined) fail('R5', `unknown kind ${kindCode}`, 'kind')
  // R6: header values in range
  if (!Number.isSafeInteger(seq) || seq < 1) fail('R6', 'must be a safe integer >= 1', 'seq')
  if (!Number.isSafeInteger(createdAtMs) || createdAtMs < 0) fail('R6', 'must be a non-negative safe integer', 'created_at_ms')
  if (parts < 1 || parts > MAX_PARTS) fail('R6', `must be 1..${MAX_PARTS}`, 'parts')
  if (part < 0 || part >= parts) fail('R6', `must be 0..parts-1 (${parts - 1})`, 'part')
  if (part >= seq) fail('R6', 'seq - part (the first seq of the batch) must be >= 1', 'part')
  // R7
  const origin = parseOrigin(originBytes)
  return {
    version: PROTOCOL_VERSION,
    origin: origin.id,
    originBytes,
    seq,
    kind,
    createdAtMs,
    part,
    parts,
    body,
    payload,
    signature: outer[2],
    bytes
  }
}

/** R8: the signature is the origin's, over the body as received. */
export function verifyEnvelope (envelope: DecodedEnvelope): void {
  checkSignature(parseOrigin(envelope.originBytes), envelope.body, envelope.signature)
}
