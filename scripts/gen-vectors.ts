import '../src/polyfill.js'
import { createHash, verify as nodeVerify, createPublicKey } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ed25519 } from '@noble/curves/ed25519.js'
import { Packr } from 'msgpackr'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { addOutcomeTo } from '../src/core/counters.js'
import { BUCKET_COUNT, bucketOf, GAMMA, MIN_S, RELATIVE_ACCURACY, UPPER_BOUNDS } from '../src/core/histogram.js'
import { DAY_MS } from '../src/core/time.js'
import { emptyCounters, type CounterEntry } from '../src/core/types.js'
import { encodeFrame } from '../src/protocol/frames.js'
import {
  decodeEnvelope, entryToJson, envelopeToJson, KINDS, MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES, payloadWire, RULES, signingInput,
  type EnvelopeKind, type FramingVector, type RuleId, type SequenceVector, type SyncVector, type TestVector, type VectorVerdict, type WireValue
} from '../src/protocol/index.js'
import { identityWork } from '../src/protocol/identity-work.js'
import { encodeSyncRequest, toRanges, type SyncRequest } from '../src/protocol/sync-digest.js'
import { seqSetVectors } from './lib/seq-set-vectors.js'
import { craft, NOW_MS, seedKey, seededRandom, simulatedEntry, TODAY, type CraftSpec } from '../test/protocol/helpers.js'
import { at } from './lib/lists.js'

/**
 * Writes protocol/vectors (single envelopes at the top, then sequences/, merges/, framing/, sync/
 * and rounding/) and protocol/histogram-buckets.json (run from the repo root: `npm run
 * gen:vectors`). Every byte comes from the protocol's own codecs (pack, payloadWire,
 * encodeFrame, encodeSyncRequest), so a change to a codec shows up in a regeneration.
 * Deterministic: keys come from fixed seeds, times are fixed and Ed25519 signatures are
 * deterministic, so a rerun reproduces every byte. Each invalid vector breaks exactly one rule.
 */

const RETENTION_DAYS = 90
const out = resolve('protocol')
const vectorsDir = join(out, 'vectors')


interface Case extends Omit<CraftSpec, 'signer' | 'seq' | 'kind' | 'createdAtMs' | 'part' | 'parts'> {
  name: string
  description: string
  rule?: RuleId
  seq?: number
  kind?: EnvelopeKind
  createdAtMs?: number
  part?: number
  parts?: number
  /** the kind as written, when it is not one of KINDS */
  kindCode?: number
  /** the decoded JSON is left null when the bytes do not have the envelope's logical form */
  structural?: boolean
  /** decoded fields that differ from the case's own (a version or origin the rules refuse) */
  decodedAs?: { version?: number, originBytes?: Uint8Array }
  signedBy?: 'mallory'
  /** origin and signer: a key carrying identity work (R24) instead of alice */
  byWorker?: boolean
  /** changes the signed envelope's bytes */
  tamper?: (bytes: Uint8Array) => Uint8Array
  context?: Pick<TestVector, 'allowlist' | 'max_bytes' | 'max_entries' | 'id_work_bits' | 'max_arms_per_task_type' | 'skipped_entries'>
}

const alice = await seedKey(1)
const mallory = await seedKey(2)
/** The first key, from seeds [i as 4 bytes little-endian, 0x57 x 28], whose SHA-256 starts with WORK_BITS zero bits. */
const WORK_BITS = 8
async function workerKey (): Promise<Ed25519PrivateKey> {
  for (let i = 0; ; i++) {
    const seed = new Uint8Array(32).fill(0x57)
    new DataView(seed.buffer).setUint32(0, i, true)
    const key = await generateKeyPairFromSeed('Ed25519', seed)
    if (identityWork(key.publicKey.raw) >= WORK_BITS) return key
  }
}
const worker = await workerKey()
if (identityWork(alice.publicKey.raw) >= WORK_BITS) throw new Error('alice must lack the identity work of the R24 vector')
const random = seededRandom(20261123)
const arm = (taskType: string, tool: string, model: string, day: number, n: number, medianS: number): CounterEntry =>
  simulatedEntry(random, { taskType, tool, model, day }, n, medianS)

const delta: [CounterEntry, CounterEntry, CounterEntry] = [
  arm('bug_fix', 'aider', 'gpt-5', TODAY, 12, 40),
  arm('bug_fix', 'claude-code', '', TODAY, 7, 90),
  arm('code_review', 'aider', 'gpt-5', TODAY - 1, 5, 20)
]
const base = delta[0]
const with1 = (over: Partial<CounterEntry>): CounterEntry[] => [{ ...base, ...over }]
/** The payload of `base` with its wire integers edited. */
function edited (edit: (row: WireValue[]) => void): WireValue {
  const wire = payloadWire([base]) as [number, string[], WireValue[][]]
  edit(at(wire[2], 0, 'payload row'))
  return wire
}

// ---- bytes and numbers -------------------------------------------------------------------------

const ED25519_ID_PREFIX = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20]
const le32 = (n: bigint): Uint8Array => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse())
const fromLe = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).reverse().toString('hex'))
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
/** base58btc, as peer id text is written (a vector's origin may be no key libp2p would parse). */
function base58btc (bytes: Uint8Array): string {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'))
  let text = ''
  while (n > 0n) { text = BASE58[Number(n % 58n)] + text; n /= 58n }
  for (const b of bytes) { if (b !== 0) break; text = '1' + text }
  return text
}
/** Every integer of a wire value as a bigint: msgpackr writes those as int64 (0xd3), wider than needed. */
const wide = (v: WireValue): WireValue => typeof v === 'number' ? BigInt(v) : Array.isArray(v) ? v.map(wide) : v

// ---- Ed25519 edge cases (noble's point arithmetic; node:crypto is what the node verifies with) ---

const L = ed25519.Point.Fn.ORDER
const B = ed25519.Point.BASE
const sha512Scalar = (...parts: Uint8Array[]): bigint => fromLe(createHash('sha512').update(Buffer.concat(parts)).digest()) % L
/** A point of order 8 (y = y8 of R7's list). */
const T8 = ed25519.Point.fromBytes(le32(0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n))
if (!T8.multiplyUnsafe(8n).is0() || T8.multiplyUnsafe(4n).is0()) throw new Error('T8 must have order 8')
/** A key with a torsion component: A = a·B + T8. Not of small order (R7 lets it through). */
const mixedScalar = sha512Scalar(new Uint8Array(32).fill(3))
const mixedKey = B.multiply(mixedScalar).add(T8).toBytes()
const mixedOrigin = Uint8Array.from([...ED25519_ID_PREFIX, ...mixedKey])
const mixedEnvelope = (createdAtMs: number): Uint8Array => craft({ signer: alice, originBytes: mixedOrigin, sign: mixedSign, entries: delta, createdAtMs })
/** RFC 8032's equations with the mixed key: valid under cofactored verification ([8]SB = [8]R + [8]kA) always, under cofactorless (SB = R + kA) only when 8 divides k. */
function mixedSign (body: Uint8Array): Uint8Array {
  const message = signingInput(body)
  const r = sha512Scalar(Buffer.from('mixed-order nonce'), message)
  const R = B.multiply(r).toBytes()
  const k = sha512Scalar(R, mixedKey, message)
  return Uint8Array.from([...R, ...le32((r + k * mixedScalar) % L)])
}
const mixedK = (body: Uint8Array, signature: Uint8Array): bigint => sha512Scalar(signature.subarray(0, 32), mixedKey, signingInput(body))
/** alice's signature with S replaced by S + L: the same point equation, a non-canonical scalar. */
function nonCanonicalS (body: Uint8Array): Uint8Array {
  const sig = craftSignature(body)
  return Uint8Array.from([...sig.subarray(0, 32), ...le32(fromLe(sig.subarray(32)) + L)])
}
const craftSignature = (body: Uint8Array): Uint8Array => {
  // alice's signature over this body, through the same code path as every vector
  const bytes = craft({ signer: alice, body: () => body as unknown as WireValue })
  return bytes.subarray(bytes.length - 64)
}
const nodeVerifies = (origin: Uint8Array, body: Uint8Array, sig: Uint8Array): boolean =>
  nodeVerify(null, signingInput(body), createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(origin.subarray(6)).toString('base64url') } }), sig)

// ---- rounding (protocol/README.md, "Counters": round half up of the binary64 product) ----------

const DURATION_TIES: Array<{ duration_s: number, ms: number }> = [
  { duration_s: 0.0005, ms: 1 }, // product 0.5: half up (Python's round() gives 0)
  { duration_s: 0.0015, ms: 2 },
  { duration_s: 0.0025, ms: 3 }, // product 2.5: half up (round-half-even gives 2)
  { duration_s: 1.0005, ms: 1001 }, // binary 1.000499999...; the product rounds to 1000.5 first, then half up
  { duration_s: 1.1115, ms: 1112 },
  { duration_s: 0.0004999999999999999, ms: 0 } // product 0.4999999999999999: just below the tie
]
const COST_TIES: Array<{ cost_usd: number, micros: number }> = [
  { cost_usd: 5e-7, micros: 1 }, // product 0.5
  { cost_usd: 1.5e-6, micros: 2 },
  { cost_usd: 2.5e-6, micros: 3 }, // product 2.5
  { cost_usd: 0.0000045, micros: 5 },
  { cost_usd: 0, micros: 0 }
]
const tiesEntry: CounterEntry = { taskType: 'rounding', tool: 'ties', model: '', day: TODAY, ...emptyCounters() }
DURATION_TIES.forEach((d, i) => {
  const cost = COST_TIES[i]?.cost_usd ?? null
  addOutcomeTo(tiesEntry, { taskType: 'rounding', tool: 'ties', model: '', outcome: 'pass', durationS: d.duration_s, costUsd: cost, offloaded: false, userId: null, id: null, atMs: NOW_MS })
})
for (const d of DURATION_TIES) if (Math.round(d.duration_s * 1000) !== d.ms) throw new Error(`rounding table: ${d.duration_s}`)
for (const c of COST_TIES) if (Math.round(c.cost_usd * 1_000_000) !== c.micros) throw new Error(`rounding table: ${c.cost_usd}`)
if (tiesEntry.sumDurationMs !== DURATION_TIES.reduce((s, d) => s + d.ms, 0)) throw new Error('rounding: sum_duration_ms')

// ---- an envelope of an exact size (the gossip limit) --------------------------------------------

/** accept-delta's first entry, its string table padded with labels no entry uses, to exactly `size` bytes. */
function sizedTo (size: number): { bytes: Uint8Array, entries: CounterEntry[] } {
  const entries = [base]
  const payloadWith = (fillers: string[]): WireValue => {
    const [baseDay, strings, rows] = payloadWire(entries) as [number, string[], WireValue[]]
    return [baseDay, [...strings, ...fillers], rows]
  }
  const build = (fillers: string[]): Uint8Array => craft({ signer: alice, seq: 5, payload: payloadWith(fillers) })
  const filler = (i: number, length = 128): string => `pad-${i}-`.padEnd(length, 'x').slice(0, length)
  // as many full fillers as leave room for two more, then two whose lengths land on the byte:
  // an ASCII string of L characters takes L + 1 bytes below 32 characters, L + 2 from 32 to 255
  const fillersOf = (count: number): string[] => Array.from({ length: count }, (_, i) => filler(i))
  let [lo, hi] = [0, Math.ceil(size / 130)]
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (build(fillersOf(mid)).length + 130 <= size) lo = mid
    else hi = mid - 1
  }
  const fillers = fillersOf(lo)
  const room = size - build(fillers).length
  const strSize = (length: number): number => length + (length < 32 ? 1 : 2)
  for (let first = 0; first <= 128; first++) {
    for (let second = 0; second <= 128; second++) {
      if (strSize(first) + strSize(second) !== room) continue
      const bytes = build([...fillers, filler(lo, first), filler(lo + 1, second)])
      if (bytes.length === size) return { bytes, entries }
    }
  }
  throw new Error(`no padding gives ${size} bytes`)
}

// ---- single envelopes -----------------------------------------------------------------------------

/** The first creation time back from NOW_MS whose mixed-order signature has k not divisible by 8 (7 times in 8, the first). */
let mixedCreatedAt = NOW_MS
while (mixedKOf(mixedEnvelope(mixedCreatedAt)) % 8n === 0n) mixedCreatedAt--
function mixedKOf (envelope: Uint8Array): bigint {
  return mixedK(vectorBody(envelope), envelope.subarray(envelope.length - 64))
}
const ZERO_KEY_ORIGIN = Uint8Array.from([...ED25519_ID_PREFIX, ...new Uint8Array(32)])
const SHA256_ORIGIN = Uint8Array.from([0x12, 0x20, ...new Uint8Array(32).fill(7)])
const atGossipLimit = sizedTo(MAX_GOSSIP_BYTES)
const overGossipLimit = sizedTo(MAX_GOSSIP_BYTES + 1)

const cases: Case[] = [
  { name: 'accept-delta', description: 'A delta of three keys over two days; one model unspecified (empty string).', seq: 41, entries: delta },
  {
    name: 'accept-snapshot-part',
    description: 'Part 1 (0-based) of a two-part snapshot, seq 12: the batch holds seqs 11 and 12.',
    kind: 'snapshot',
    seq: 12,
    part: 1,
    parts: 2,
    entries: [arm('refactor', 'cursor', 'sonnet', TODAY - 2, 30, 300), arm('refactor', 'aider', 'sonnet', TODAY - 2, 9, 200)]
  },
  { name: 'accept-empty-snapshot', description: 'A snapshot with no entries: the origin has no live keys.', kind: 'snapshot', seq: 3 },
  {
    name: 'accept-large-values',
    description: 'Sums beyond 32 bits, and created_at and seq beyond 32 bits: the node writes these as msgpack int64 (0xd3).',
    seq: 2 ** 40,
    entries: with1({ sumDurationMs: base.nDuration * 7 * DAY_MS, sumCostMicros: base.nCost * 4_000_000_000 })
  },
  {
    name: 'accept-wide-integers',
    description: 'accept-delta\'s content with every integer of the body and payload written as int64 (0xd3), wider than needed: integer width is not canonical, and the signature covers the bytes as they are.',
    seq: 41,
    entries: delta,
    body: f => f.map(v => typeof v === 'number' ? BigInt(v) : v),
    payload: wide(payloadWire(delta))
  },
  {
    name: 'accept-rounding-ties',
    description: `Counters of ${DURATION_TIES.length} outcomes whose durations and costs sit at or next to rounding ties (see rounding/ties.json): round(duration_s x 1000) and round(cost_usd x 10^6) round the binary64 product half up.`,
    entries: [tiesEntry]
  },
  {
    name: 'accept-unicode-labels',
    description: 'Non-ASCII labels, one at the 128 UTF-16 code unit limit (64 astral characters).',
    entries: with1({ taskType: 'r\u00e9vision_de_code', tool: '\u{1F41D}'.repeat(64), model: '\u30e2\u30c7\u30eb' })
  },
  {
    name: 'accept-stale-entry-skipped',
    description: 'One entry is 90 days old (outside the window) and is skipped; the other is merged.',
    entries: [{ ...base, day: TODAY - RETENTION_DAYS }, { ...base, day: TODAY - RETENTION_DAYS + 1 }]
  },
  {
    name: 'accept-at-gossip-limit',
    description: `Exactly MAX_GOSSIP_BYTES (${MAX_GOSSIP_BYTES}) bytes, judged as gossip (max_bytes ${MAX_GOSSIP_BYTES}): R1 allows at most, so it passes. Its string table is padded with labels no entry uses (allowed: R12 bounds the table, it does not require each string to be used).`,
    seq: 5,
    entries: atGossipLimit.entries,
    tamper: () => atGossipLimit.bytes,
    context: { max_bytes: MAX_GOSSIP_BYTES }
  },
  {
    name: 'reject-r1-gossip-limit',
    description: `MAX_GOSSIP_BYTES + 1 bytes, judged as gossip (max_bytes ${MAX_GOSSIP_BYTES}): too large for gossip. The same bytes from a file or a sync answer (max_bytes ${MAX_ENVELOPE_BYTES}) are accepted.`,
    rule: 'R1',
    seq: 5,
    entries: overGossipLimit.entries,
    tamper: () => overGossipLimit.bytes,
    context: { max_bytes: MAX_GOSSIP_BYTES }
  },
  { name: 'ignore-r3-unknown-version', description: 'Version 2: not this implementation\'s to judge.', rule: 'R3', entries: delta, outer: f => [2, ...f.slice(1)], decodedAs: { version: 2 } },
  { name: 'ignore-r9-not-allowlisted', description: 'Validly signed by alice; only mallory is allowlisted.', rule: 'R9', entries: delta, context: { allowlist: [peerIdFromPrivateKey(mallory).toString()] } },
  { name: 'ignore-r21-all-stale', description: 'Every entry is older than the 90-day retention window.', rule: 'R21', entries: with1({ day: TODAY - 100 }) },
  { name: 'reject-r1-oversize', description: 'Larger than the receiver\'s limit (max_bytes 256 here).', rule: 'R1', entries: delta, context: { max_bytes: 256 } },
  {
    name: 'reject-r2-map',
    description: 'The envelope is a msgpack map {version, body, signature} (0x83), not an array.',
    rule: 'R2',
    entries: delta,
    outerBytes: f => new Packr({ useRecords: false }).pack(new Map<string, unknown>([['version', f[0]], ['body', f[1]], ['signature', f[2]]])),
    structural: true
  },
  { name: 'reject-r2-nested-array', description: 'The envelope is an array holding an array, [[1, body, signature]]: R2 allows no array inside the envelope.', rule: 'R2', entries: delta, outer: f => [[...f]], structural: true },
  { name: 'reject-r4-body-arity', description: 'The body has 6 fields instead of 7 (payload missing).', rule: 'R4', body: f => f.slice(0, 6), structural: true },
  { name: 'reject-r5-kind', description: 'Kind 2 does not exist.', rule: 'R5', entries: delta, kindCode: 2, structural: true },
  { name: 'reject-r6-seq-zero', description: 'Sequence numbers start at 1.', rule: 'R6', seq: 0, entries: delta },
  { name: 'reject-r7-origin', description: 'The origin is a sha256 multihash (an RSA-style peer id), not an Ed25519 identity multihash.', rule: 'R7', entries: delta, originBytes: SHA256_ORIGIN, decodedAs: { originBytes: SHA256_ORIGIN } },
  {
    name: 'reject-r7-small-order-key',
    description: 'The origin key is the all-zero encoding (y = 0, a point of order 4), with the all-zero signature.',
    rule: 'R7',
    entries: delta,
    originBytes: ZERO_KEY_ORIGIN,
    outer: f => [...f.slice(0, 2), new Uint8Array(64)],
    decodedAs: { originBytes: ZERO_KEY_ORIGIN }
  },
  {
    name: 'reject-r8-altered-body',
    description: 'accept-delta\'s body with seq 42 instead of 41, carrying the signature over seq 41: well-formed in every other respect.',
    rule: 'R8',
    seq: 42,
    entries: delta,
    signedBody: f => [...f.slice(0, 1), 41, ...f.slice(2)]
  },
  { name: 'reject-r8-wrong-signer', description: 'Claims alice\'s origin but is signed by mallory.', rule: 'R8', entries: delta, signedBy: 'mallory' },
  {
    name: 'reject-r8-noncanonical-s',
    description: 'accept-delta signed by alice, with the signature\'s S replaced by S + L (the group order): the same point equation, but S >= L, which RFC 8032 verification (and the node) refuses.',
    rule: 'R8',
    seq: 41,
    entries: delta,
    sign: nonCanonicalS
  },
  {
    name: 'reject-r8-mixed-order-key',
    description: 'A key with a torsion component (a·B + a point of order 8; not of small order, so R7 passes) and a signature that cofactored verification ([8]SB = [8]R + [8]kA) accepts and cofactorless verification (SB = R + kA, what the node and RFC 8032\'s strict check do) refuses.',
    rule: 'R8',
    entries: delta,
    originBytes: mixedOrigin,
    sign: mixedSign,
    createdAtMs: mixedCreatedAt,
    decodedAs: { originBytes: mixedOrigin }
  },
  { name: 'ignore-r10-future-created-at', description: 'Created 10 minutes after now (skew allowance: 5 minutes): a clock fault, ignored without penalty.', rule: 'R10', createdAtMs: NOW_MS + 10 * 60_000, entries: delta },
  { name: 'reject-r11-short-entry', description: 'An entry with 14 integers (at least 15 needed).', rule: 'R11', payload: edited(row => row.splice(14)), structural: true },
  { name: 'reject-r12-long-string', description: 'A tool name of 129 characters (at most 128).', rule: 'R12', entries: with1({ tool: 'x'.repeat(129) }) },
  { name: 'reject-r13-empty-tool', description: 'An empty tool name.', rule: 'R13', entries: with1({ tool: '' }) },
  { name: 'reject-r14-negative', description: 'A negative error count (pass raised so the classes still sum to n).', rule: 'R14', entries: with1({ error: -1, pass: base.pass + 1 + base.error, grader_fail: base.grader_fail }) },
  { name: 'reject-r15-class-sum', description: 'Outcome classes sum to n + 1.', rule: 'R15', entries: with1({ pass: base.pass + 1 }) },
  { name: 'reject-r16-offloaded', description: 'offloaded larger than n.', rule: 'R16', entries: with1({ offloaded: base.n + 1 }) },
  { name: 'reject-r17-hist-total', description: 'The histogram holds one sample more than n_duration.', rule: 'R17', entries: with1({ hist: new Map([...base.hist, [203, 1]]) }) },
  { name: 'reject-r18-duration-sum', description: 'sum_duration_ms beyond n_duration x 7 days.', rule: 'R18', entries: with1({ sumDurationMs: base.nDuration * 7 * DAY_MS + 1 }) },
  { name: 'reject-r19-negative-base-day', description: 'base_day is -1 (no entries): not a day number.', rule: 'R19', payload: [-1, [], []], entries: [] },
  { name: 'ignore-r28-future-day', description: 'An entry dated tomorrow (now is 12:00 UTC): the origin\'s clock or ours is wrong; ignored without penalty.', rule: 'R28', entries: with1({ day: TODAY + 1 }) },
  { name: 'reject-r20-duplicate-key', description: 'The same (task_type, tool, model, day) twice.', rule: 'R20', entries: [base, { ...base }] },
  { name: 'reject-r24-identity-work', description: `Validly signed by alice, whose key's SHA-256 starts with ${identityWork(alice.publicKey.raw)} zero bits; the receiver's hive requires ${WORK_BITS} (id_work_bits).`, rule: 'R24', entries: delta, context: { id_work_bits: WORK_BITS } },
  {
    name: 'accept-r30-arms-beyond-bound-skipped',
    description: 'Three arms in bug_fix and one in code_review from an origin the receiver holds nothing of; its bound is 2 arms per origin per task type (max_arms_per_task_type): the third bug_fix arm (entry 3) is skipped, the rest merged, the envelope accepted.',
    entries: [base, at(delta, 1), { ...base, day: TODAY - 1 }, arm('bug_fix', 'cursor', 'sonnet', TODAY, 4, 60), at(delta, 2)],
    context: { max_arms_per_task_type: 2, skipped_entries: [3] }
  },
  { name: 'accept-identity-work', description: `From a key whose SHA-256 starts with ${identityWork(worker.publicKey.raw)} zero bits; the receiver's hive requires ${WORK_BITS} (id_work_bits).`, byWorker: true, entries: delta, context: { id_work_bits: WORK_BITS } }
]

function vectorOf (c: Case): TestVector {
  const author = c.byWorker === true ? worker : alice
  const header = { seq: c.seq ?? 1, kind: c.kind ?? 'delta', createdAtMs: c.createdAtMs ?? NOW_MS, part: c.part ?? 0, parts: c.parts ?? 1 }
  const signed = craft({
    ...c,
    ...header,
    signer: c.signedBy === 'mallory' ? mallory : author,
    originBytes: c.originBytes ?? author.publicKey.toMultihash().bytes,
    kind: c.kindCode ?? KINDS.indexOf(header.kind)
  })
  const bytes = c.tamper === undefined ? signed : c.tamper(signed)
  const origin = c.decodedAs?.originBytes === undefined ? peerIdFromPrivateKey(author).toString() : base58btc(c.decodedAs.originBytes)
  const decoded = c.structural === true ? null : envelopeToJson(c.decodedAs?.version ?? 1, origin, header, c.entries ?? [])
  return {
    name: c.name,
    description: c.description,
    hex: Buffer.from(bytes).toString('hex'),
    decoded,
    verdict: c.rule === undefined ? 'ACCEPT' : RULES[c.rule].verdict,
    ...(c.rule === undefined ? {} : { rule: c.rule }),
    now_ms: NOW_MS,
    retention_days: RETENTION_DAYS,
    ...c.context
  }
}

const vectors = cases.map(vectorOf)
const vectorBytes = (name: string): Uint8Array => Buffer.from(vectors.find(v => v.name === name)?.hex ?? '', 'hex')
// the Ed25519 cases must be what their descriptions say, on this very Node
{
  const mixed = vectorBytes('reject-r8-mixed-order-key')
  const body = vectorBody(mixed)
  const sig = mixed.subarray(mixed.length - 64)
  if (mixedK(body, sig) % 8n === 0n) throw new Error('the mixed-order vector needs k not divisible by 8')
  if (!ed25519.verify(sig, signingInput(body), mixedKey, { zip215: true })) throw new Error('cofactored verification must accept the mixed-order vector')
  if (nodeVerifies(mixedOrigin, body, sig)) throw new Error('node:crypto must refuse the mixed-order vector')
  const s = vectorBytes('reject-r8-noncanonical-s')
  if (nodeVerifies(alice.publicKey.toMultihash().bytes, vectorBody(s), s.subarray(s.length - 64))) throw new Error('node:crypto must refuse S + L')
}
/** The signed body of an envelope, read by the node's own decoder (R1-R7 pass for these vectors). */
function vectorBody (envelope: Uint8Array): Uint8Array {
  return decodeEnvelope(envelope).body
}

// ---- sequences: one receiver, envelopes one after the other (the stateful rules) -----------------

interface Sent { signer?: Ed25519PrivateKey, seq: number, kind?: EnvelopeKind, part?: number, parts?: number, entries?: CounterEntry[] }
/** An envelope from the codecs (craft encodes and signs, checking nothing). */
const envelope = (s: Sent): Uint8Array => craft({
  signer: s.signer ?? alice, seq: s.seq, kind: KINDS.indexOf(s.kind ?? 'delta'), part: s.part ?? 0, parts: s.parts ?? 1, createdAtMs: NOW_MS, entries: s.entries ?? [counting(s.seq)]
})
/** One key whose counters grow with n (an honest origin's absolute counters). */
function counting (n: number, over: Partial<CounterEntry> = {}): CounterEntry {
  return { ...emptyCounters(), taskType: 'bug_fix', tool: 'aider', model: 'gpt-5', day: TODAY, n, pass: n, ...over }
}
const ok: VectorVerdict = { verdict: 'ACCEPT' }
/** The verdict breaking `rule` gives. */
const verdictOf = (rule: RuleId): VectorVerdict => ({ verdict: RULES[rule].verdict, rule })
const step = (s: Sent, v: VectorVerdict): SequenceVector['steps'][number] => ({ hex: Buffer.from(envelope(s)).toString('hex'), ...v })
const receiver = { now_ms: NOW_MS, retention_days: RETENTION_DAYS }

const MANY = 300
const sequences: SequenceVector[] = [
  {
    name: 'r22-duplicate',
    description: 'The same envelope twice: the second is ignored (R22).',
    ...receiver,
    steps: [step({ seq: 1 }, ok), step({ seq: 1 }, verdictOf('R22'))]
  },
  {
    name: 'r22-same-seq-other-bytes',
    description: 'Two different envelopes that alice signed with one seq: the first received wins (R22), whichever it is.',
    ...receiver,
    steps: [step({ seq: 5, entries: [counting(5)] }, ok), step({ seq: 5, entries: [counting(9)] }, verdictOf('R22'))]
  },
  {
    name: 'r23-superseded',
    description: 'A one-part snapshot at seq 10, then a delta at seq 5 (older than the snapshot: R23) and one at seq 11.',
    ...receiver,
    steps: [step({ seq: 10, kind: 'snapshot' }, ok), step({ seq: 5 }, verdictOf('R23')), step({ seq: 11 }, ok)]
  },
  {
    name: 'r23-two-part-snapshot',
    description: 'Part 1 of a snapshot (seqs 11-12) arrives first; a delta at seq 9 is still accepted (the snapshot is not complete); part 0 completes it; a delta at seq 10 is then superseded (R23).',
    ...receiver,
    steps: [
      step({ seq: 12, kind: 'snapshot', part: 1, parts: 2 }, ok),
      step({ seq: 9 }, ok),
      step({ seq: 11, kind: 'snapshot', part: 0, parts: 2 }, ok),
      step({ seq: 10 }, verdictOf('R23'))
    ]
  },
  {
    name: 'r25-own-origin',
    description: 'The receiver is alice (self_seed_hex); an envelope of alice\'s at a seq she never used is ignored (R25): a node\'s own counters come from its own outcomes.',
    ...receiver,
    self_seed_hex: '01'.repeat(32),
    steps: [step({ seq: 7 }, verdictOf('R25'))]
  },
  {
    name: 'r26-delta-bound',
    description: `${MANY} deltas with no snapshot, seqs 1-${MANY} in order: all accepted (merging is safe), the receiver keeps the newest MAX_DELTAS_PER_ORIGIN (256); seq 1 again, and seq 44 (older than every kept delta), are then ignored (R26); seq 45, the oldest kept, is a duplicate (R22).`,
    ...receiver,
    steps: [
      ...Array.from({ length: MANY }, (_, i) => step({ seq: i + 1 }, ok)),
      step({ seq: 1 }, verdictOf('R26')),
      step({ seq: MANY - 256 }, verdictOf('R26')),
      step({ seq: MANY - 255 }, verdictOf('R22'))
    ]
  },
  {
    name: 'r27-parts-disagree',
    description: 'Part 0 of a two-part snapshot (seqs 11-12), then an envelope at seq 12 claiming part 1 of a three-part batch (seqs 11-13): the batches disagree (R27).',
    ...receiver,
    steps: [step({ seq: 11, kind: 'snapshot', part: 0, parts: 2 }, ok), step({ seq: 12, kind: 'snapshot', part: 1, parts: 3 }, verdictOf('R27'))]
  },
  {
    name: 'r27-mixed-kinds',
    description: 'Part 0 of a two-part snapshot (seqs 11-12), then a delta claiming part 1 of the same batch: a batch has one kind (R27).',
    ...receiver,
    steps: [step({ seq: 11, kind: 'snapshot', part: 0, parts: 2 }, ok), step({ seq: 12, kind: 'delta', part: 1, parts: 2 }, verdictOf('R27'))]
  },
  {
    name: 'r30-arm-bound',
    description: 'MAX_ARMS_PER_TASK_TYPE (64) arms of bug_fix in one delta, accepted; then a delta of one more bug_fix arm, ignored (R30); then one holding a held arm on another day, a 66th bug_fix arm and a code_review arm: accepted, the 66th arm skipped, the others merged.',
    ...receiver,
    steps: [
      step({ seq: 1, entries: Array.from({ length: 64 }, (_, i) => counting(1, { tool: `tool-${i}` })) }, ok),
      step({ seq: 2, entries: [counting(1, { tool: 'tool-64' })] }, verdictOf('R30')),
      step({ seq: 3, entries: [counting(2, { tool: 'tool-0', day: TODAY - 1 }), counting(1, { tool: 'tool-65' }), counting(1, { taskType: 'code_review' })] }, ok)
    ]
  },
  {
    name: 'r27-inside-other-batch',
    description: 'A single delta at seq 12, then part 0 of a snapshot batch claiming seqs 11-12: seq 12 is already a batch of its own (R27).',
    ...receiver,
    steps: [step({ seq: 12 }, ok), step({ seq: 11, kind: 'snapshot', part: 0, parts: 2 }, verdictOf('R27'))]
  }
]

// ---- merges: the counters a receiver holds after a sequence --------------------------------------

const aliceId = peerIdFromPrivateKey(alice).toString()
const malloryId = peerIdFromPrivateKey(mallory).toString()
const early = counting(3, { pass: 2, error: 1, nDuration: 3, sumDurationMs: 30_000, hist: new Map([[60, 3]]) })
const later = counting(5, { pass: 3, error: 2, nDuration: 5, sumDurationMs: 52_000, hist: new Map([[60, 4], [61, 1]]) })
const stateA = counting(4, { nDuration: 4, sumDurationMs: 4000, hist: new Map([[60, 4]]) })
const stateB = counting(4, { nDuration: 4, sumDurationMs: 4000, hist: new Map([[60, 2], [70, 2]]) })
const mergedJson = (origin: string, e: CounterEntry): { origin: string } & ReturnType<typeof entryToJson> => ({ origin, ...entryToJson(e) })
const merges: SequenceVector[] = [
  {
    name: 'merge-out-of-order',
    description: 'Two deltas of one key, the newer (seq 2) received first: the older changes nothing, the merge keeps each field\'s maximum.',
    ...receiver,
    steps: [step({ seq: 2, entries: [later] }, ok), step({ seq: 1, entries: [early] }, ok)],
    merged: [mergedJson(aliceId, later)]
  },
  {
    name: 'merge-unordered-states',
    description: 'A dishonest origin signs two states of one key that are not ordered (n_duration 4 each, histograms {60: 4} and {60: 2, 70: 2}): the merge keeps each field\'s maximum, n_duration 4 with 6 histogram samples. That satisfies the merged invariant ("Merge semantics"), not R17\'s equality, whatever the order of arrival.',
    ...receiver,
    steps: [step({ seq: 1, entries: [stateA] }, ok), step({ seq: 2, entries: [stateB] }, ok)],
    merged: [mergedJson(aliceId, { ...stateA, hist: new Map([[60, 4], [70, 2]]) })]
  },
  {
    name: 'merge-two-origins',
    description: 'alice and mallory report the same key: each origin\'s counters are kept apart (the hive value is their sum).',
    ...receiver,
    steps: [step({ seq: 1, entries: [early] }, ok), step({ seq: 1, signer: mallory, entries: [later] }, ok)],
    merged: [mergedJson(aliceId, early), mergedJson(malloryId, later)].sort((a, b) => a.origin < b.origin ? -1 : 1)
  }
]

// ---- framing: length-prefixed frames, as a file and as a sync answer ------------------------------

const e1 = vectorBytes('accept-delta')
const e2 = envelope({ signer: mallory, seq: 1, entries: delta })
if (e2.length < 128) throw new Error('e2 needs a two-byte length prefix')
const frame = encodeFrame
const prefixOf = (length: number): Uint8Array => { const f = encodeFrame(new Uint8Array(length)); return f.subarray(0, f.length - length) }
/** e2's length prefix padded with a continuation byte and a zero: the same value, not minimally encoded. */
const nonMinimal = (body: Uint8Array): Uint8Array => {
  const p = prefixOf(body.length)
  return Uint8Array.from([...p.subarray(0, -1), at(p, p.length - 1, 'prefix byte') | 0x80, 0x00, ...body])
}
const cat = (...parts: Uint8Array[]): string => Buffer.concat(parts).toString('hex')
const framing: FramingVector[] = [
  {
    name: 'framing-well-formed',
    description: 'Two frames, each one envelope.',
    ...receiver,
    hex: cat(frame(e1), frame(e2)),
    frames: [ok, ok],
    error: null,
    file: 'frames'
  },
  {
    name: 'framing-zero-length-frame',
    description: 'A frame of length 0 between two envelopes: an empty envelope, refused by R2 like any other undecodable envelope; the frames around it are judged as usual.',
    ...receiver,
    hex: cat(frame(e1), frame(new Uint8Array(0)), frame(e2)),
    frames: [ok, verdictOf('R2'), ok],
    error: null,
    file: 'frames'
  },
  {
    name: 'framing-truncated-body',
    description: 'The stream ends 20 bytes into the second frame\'s body.',
    ...receiver,
    hex: cat(frame(e1), frame(e2).subarray(0, prefixOf(e2.length).length + 20)),
    frames: [ok],
    error: 'truncated',
    file: 'refused'
  },
  {
    name: 'framing-trailing-partial-varint',
    description: 'The stream ends inside a length prefix (its first byte has the continuation bit set).',
    ...receiver,
    hex: cat(frame(e1), prefixOf(e2.length).subarray(0, 1)),
    frames: [ok],
    error: 'truncated',
    file: 'refused'
  },
  {
    name: 'framing-non-minimal-length',
    description: 'The second frame\'s length is encoded with a redundant zero byte (not minimal, against the unsigned-varint spec).',
    ...receiver,
    hex: cat(frame(e1), nonMinimal(e2)),
    frames: [ok],
    error: 'non-minimal-length',
    file: 'refused'
  },
  {
    name: 'framing-oversize-length',
    description: `The second length prefix says MAX_ENVELOPE_BYTES + 1 (${MAX_ENVELOPE_BYTES + 1}) and no body follows: a sync requester ends the exchange on the prefix alone, without reading on; a file holding these bytes ends inside that frame.`,
    ...receiver,
    hex: cat(frame(e1), prefixOf(MAX_ENVELOPE_BYTES + 1)),
    frames: [ok],
    error: 'oversize-length',
    file: 'refused'
  }
]

// ---- sync: a request, what the responder holds, and its answer ------------------------------------

const held: Array<{ id: string, seq: number, bytes: Uint8Array }> = [
  { id: aliceId, seq: 3, bytes: envelope({ seq: 3, kind: 'snapshot' }) },
  { id: aliceId, seq: 4, bytes: envelope({ seq: 4 }) },
  { id: aliceId, seq: 5, bytes: envelope({ seq: 5 }) },
  { id: malloryId, seq: 1, bytes: envelope({ signer: mallory, seq: 1 }) },
  { id: malloryId, seq: 2, bytes: envelope({ signer: mallory, seq: 2 }) }
]
const HIVE = 'vectors'
/** The answer by the text of protocol/README.md, "Sync": per origin in the page (peer id order), seqs >= snapshot_seq in none of the ranges, ascending. */
function answerOf (request: SyncRequest): number[] {
  if (request.hive !== HIVE) return []
  const inPage = (id: string): boolean => request.range === undefined || (id >= request.range.from && (request.range.to === '' || id < request.range.to))
  const order = held.map((h, i) => ({ ...h, i })).filter(h => inPage(h.id)).sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : a.seq - b.seq)
  return order.filter(h => {
    const digest = request.digests.find(d => d.origin === h.id)
    if (digest === undefined) return true
    return h.seq >= digest.snapshotSeq && !digest.ranges.some(([from, to]) => h.seq >= from && h.seq <= to)
  }).map(h => h.i)
}
const [firstId, secondId] = [aliceId, malloryId].sort() as [string, string]
function syncVector (name: string, description: string, request: SyncRequest): SyncVector {
  const body = encodeSyncRequest(request)
  const response = answerOf(request)
  return {
    name,
    description,
    ...receiver,
    hive: HIVE,
    held: held.map(h => Buffer.from(h.bytes).toString('hex')),
    request_hex: Buffer.from(body).toString('hex'),
    request_frame_hex: Buffer.from(encodeFrame(body)).toString('hex'),
    request: {
      version: 1,
      hive: request.hive,
      digests: request.digests.map(d => [d.origin, d.snapshotSeq, d.ranges]),
      ...(request.range === undefined ? {} : { page: [request.range.from, request.range.to] as [string, string] })
    },
    response,
    response_frames_hex: Buffer.concat(response.map(i => encodeFrame(at(held, i, 'held envelope').bytes))).toString('hex')
  }
}
const syncs: SyncVector[] = [
  syncVector('sync-new-requester', 'The requester holds nothing: every held envelope, by origin (peer id text order), then seq.', { hive: HIVE, digests: [] }),
  syncVector('sync-partial', 'The requester holds alice\'s snapshot (3) and delta 4, and mallory\'s delta 1: the answer is mallory\'s 2 and alice\'s 5, in that order (peer id text order: 12D3KooWJ… sorts before 12D3KooWK…).', {
    hive: HIVE,
    digests: [{ origin: aliceId, snapshotSeq: 3, ranges: toRanges([3, 4]) }, { origin: malloryId, snapshotSeq: 0, ranges: toRanges([1]) }].sort((a, b) => a.origin < b.origin ? -1 : 1)
  }),
  syncVector('sync-older-snapshot', 'The requester holds alice\'s deltas 1 and 2 and no snapshot (snapshot_seq 0): everything the responder holds for alice is newer, so all of it is sent, and all of mallory\'s.', {
    hive: HIVE,
    digests: [{ origin: aliceId, snapshotSeq: 0, ranges: toRanges([1, 2]) }]
  }),
  syncVector('sync-other-hive', 'A request from another hive: no answer at all.', { hive: 'elsewhere', digests: [] }),
  syncVector('sync-page', `A paged request covering the origins before ${secondId} (from '' to it): only ${firstId === aliceId ? 'alice' : 'mallory'}'s envelopes.`, {
    hive: HIVE,
    digests: [],
    range: { from: '', to: secondId }
  })
]

// ---- write -------------------------------------------------------------------------------------

/** Two-space JSON, with number pairs (histogram buckets) kept on one line. */
const json = (value: unknown): string => JSON.stringify(value, null, 2).replace(/\[\s+(-?\d+),\s+(-?\d+)\s+\]/g, '[$1, $2]') + '\n'
function writeAll (dir: string, items: ReadonlyArray<{ name: string, description: string } & object>): void {
  mkdirSync(dir, { recursive: true })
  for (const file of readdirSync(dir)) if (file.endsWith('.json')) rmSync(join(dir, file))
  for (const item of items) writeFileSync(join(dir, `${item.name}.json`), json(item))
}

writeAll(vectorsDir, vectors)
writeAll(join(vectorsDir, 'sequences'), sequences)
writeAll(join(vectorsDir, 'merges'), merges)
writeAll(join(vectorsDir, 'framing'), framing)
writeAll(join(vectorsDir, 'sync'), syncs)
const rounding = {
  name: 'ties',
  description: 'round(duration_s x 1000) and round(cost_usd x 10^6) as the node computes them (protocol/README.md, "Counters"): p = the binary64 product, then r = floor(p), plus 1 when p - r >= 0.5 (half up). Each outcome is rounded, then summed. accept-rounding-ties carries the counters of these outcomes (the i-th duration with the i-th cost).',
  durations: DURATION_TIES.map(d => ({ duration_s: d.duration_s, product: d.duration_s * 1000, ms: d.ms, bucket: bucketOf(d.duration_s) })),
  costs: COST_TIES.map(c => ({ cost_usd: c.cost_usd, product: c.cost_usd * 1_000_000, micros: c.micros }))
}
writeAll(join(vectorsDir, 'rounding'), [rounding])
writeFileSync(join(out, 'histogram-buckets.json'), json({
  relative_accuracy: RELATIVE_ACCURACY,
  gamma: GAMMA,
  min_s: MIN_S,
  bucket_count: BUCKET_COUNT,
  upper_bounds_s: [...UPPER_BOUNDS]
}))
writeFileSync(join(out, 'seq-set-vectors.json'), JSON.stringify(seqSetVectors(), null, 2).replace(/\[\s+(\d+),\s+(\d+)\s+\]/g, '[$1, $2]') + '\n')
console.log(`wrote ${vectors.length} envelope vectors, ${sequences.length} sequences, ${merges.length} merges, ${framing.length} framing and ${syncs.length} sync vectors, rounding/ties.json, ${join(out, 'histogram-buckets.json')} and ${join(out, 'seq-set-vectors.json')}`)
