import '../src/polyfill.js'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { BUCKET_COUNT, GAMMA, MIN_S, RELATIVE_ACCURACY, UPPER_BOUNDS } from '../src/core/histogram.js'
import { DAY_MS } from '../src/core/time.js'
import { envelopeToJson, KINDS, payloadWire, RULES, type RuleId, type TestVector, type WireValue } from '../src/protocol/index.js'
import { identityWork } from '../src/protocol/identity-work.js'
import { seqSetVectors } from './lib/seq-set-vectors.js'
import { craft, NOW_MS, seedKey, seededRandom, simulatedEntry, TODAY, type CraftSpec } from '../test/protocol/helpers.js'
import type { CounterEntry } from '../src/core/types.js'
import type { EnvelopeKind } from '../src/protocol/index.js'
import { at } from './lib/lists.js'

/**
 * Writes protocol/vectors/*.json and protocol/histogram-buckets.json (run from the repo root:
 * `npx tsc -p . && node dist/scripts/gen-vectors.js`). Deterministic: keys come from fixed
 * seeds, times are fixed and Ed25519 signatures are deterministic, so a rerun reproduces every
 * byte. Each invalid vector breaks exactly one rule.
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
  signedBy?: 'mallory'
  /** origin and signer: a key carrying identity work (R24) instead of alice */
  byWorker?: boolean
  /** changes the signed envelope's bytes */
  tamper?: (bytes: Uint8Array) => Uint8Array
  context?: Pick<TestVector, 'allowlist' | 'max_bytes' | 'max_entries' | 'id_work_bits'>
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

const base = arm('bug_fix', 'aider', 'gpt-5', TODAY, 12, 40)
const delta = [
  base,
  arm('bug_fix', 'claude-code', '', TODAY, 7, 90),
  arm('code_review', 'aider', 'gpt-5', TODAY - 1, 5, 20)
]
const with1 = (over: Partial<CounterEntry>): CounterEntry[] => [{ ...base, ...over }]
/** The payload of `base` with its wire integers edited. */
function edited (edit: (row: WireValue[]) => void): WireValue {
  const wire = payloadWire([base]) as [number, string[], WireValue[][]]
  edit(at(wire[2], 0, 'payload row'))
  return wire
}

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
    description: 'Sums beyond 32 bits (written as msgpack int64), and created_at as int64.',
    seq: 2 ** 40,
    entries: with1({ sumDurationMs: base.nDuration * 7 * DAY_MS, sumCostMicros: base.nCost * 4_000_000_000 })
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
  { name: 'ignore-r3-unknown-version', description: 'Version 2: not this implementation\'s to judge.', rule: 'R3', entries: delta, outer: f => [2, ...f.slice(1)], structural: true },
  { name: 'ignore-r9-not-allowlisted', description: 'Validly signed by alice; only mallory is allowlisted.', rule: 'R9', entries: delta, context: { allowlist: [peerIdFromPrivateKey(mallory).toString()] } },
  { name: 'ignore-r21-all-stale', description: 'Every entry is older than the 90-day retention window.', rule: 'R21', entries: with1({ day: TODAY - 100 }) },
  { name: 'reject-r1-oversize', description: 'Larger than the receiver\'s limit (max_bytes 256 here).', rule: 'R1', entries: delta, context: { max_bytes: 256 } },
  { name: 'reject-r2-map', description: 'The envelope is a msgpack map, not an array.', rule: 'R2', entries: delta, outer: f => [[...f]], structural: true },
  { name: 'reject-r4-body-arity', description: 'The body has 6 fields instead of 7 (payload missing).', rule: 'R4', body: f => f.slice(0, 6), structural: true },
  { name: 'reject-r5-kind', description: 'Kind 2 does not exist.', rule: 'R5', entries: delta, kindCode: 2, structural: true },
  { name: 'reject-r6-seq-zero', description: 'Sequence numbers start at 1.', rule: 'R6', seq: 0, entries: delta },
  { name: 'reject-r7-origin', description: 'The origin is a sha256 multihash (an RSA-style peer id), not an Ed25519 identity multihash.', rule: 'R7', entries: delta, originBytes: Uint8Array.from([0x12, 0x20, ...new Uint8Array(32).fill(7)]), structural: true },
  {
    name: 'reject-r7-small-order-key',
    description: 'The origin key is the all-zero (small-order) point, with the all-zero signature that such a key accepts for any message.',
    rule: 'R7',
    entries: delta,
    originBytes: Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...new Uint8Array(32)]),
    outer: f => [...f.slice(0, 2), new Uint8Array(64)],
    structural: true
  },
  {
    name: 'reject-r8-forged-payload',
    description: 'accept-delta with its last payload byte changed after signing.',
    rule: 'R8',
    seq: 41,
    entries: delta,
    structural: true,
    tamper: bytes => {
      const forged = Uint8Array.from(bytes)
      // the last payload byte sits just before the signature (bin8 header and 64 bytes)
      const last = forged.length - 67
      forged[last] = at(forged, last, 'payload byte') ^ 0x01
      return forged
    }
  },
  { name: 'reject-r8-wrong-signer', description: 'Claims alice\'s origin but is signed by mallory.', rule: 'R8', entries: delta, signedBy: 'mallory' },
  { name: 'ignore-r10-future-created-at', description: 'Created 10 minutes after now (skew allowance: 5 minutes): a clock fault, ignored without penalty.', rule: 'R10', createdAtMs: NOW_MS + 10 * 60_000, entries: delta },
  { name: 'reject-r11-short-entry', description: 'An entry with 14 integers (at least 15 needed).', rule: 'R11', payload: edited(row => row.splice(14)), structural: true },
  { name: 'reject-r12-long-string', description: 'A tool name of 129 characters (at most 128).', rule: 'R12', entries: with1({ tool: 'x'.repeat(129) }) },
  { name: 'reject-r13-empty-tool', description: 'An empty tool name.', rule: 'R13', entries: with1({ tool: '' }) },
  { name: 'reject-r14-negative', description: 'A negative error count (pass raised so the classes still sum to n).', rule: 'R14', entries: with1({ error: -1, pass: base.pass + 1 + base.error, grader_fail: base.grader_fail }) },
  { name: 'reject-r15-class-sum', description: 'Outcome classes sum to n + 1.', rule: 'R15', entries: with1({ pass: base.pass + 1 }) },
  { name: 'reject-r16-offloaded', description: 'offloaded larger than n.', rule: 'R16', entries: with1({ offloaded: base.n + 1 }) },
  { name: 'reject-r17-hist-total', description: 'The histogram holds one sample more than n_duration.', rule: 'R17', entries: with1({ hist: new Map([...base.hist, [203, 1]]) }) },
  { name: 'reject-r18-duration-sum', description: 'sum_duration_ms beyond n_duration x 7 days.', rule: 'R18', entries: with1({ sumDurationMs: base.nDuration * 7 * DAY_MS + 1 }) },
  { name: 'reject-r19-negative-base-day', description: 'base_day is -1: not a day number.', rule: 'R19', payload: [-1, [], []], structural: true },
  { name: 'ignore-r28-future-day', description: 'An entry dated tomorrow (now is 12:00 UTC): the origin\'s clock or ours is wrong; ignored without penalty.', rule: 'R28', entries: with1({ day: TODAY + 1 }) },
  { name: 'reject-r20-duplicate-key', description: 'The same (task_type, tool, model, day) twice.', rule: 'R20', entries: [base, { ...base }] },
  { name: 'reject-r24-identity-work', description: `Validly signed by alice, whose key's SHA-256 starts with ${identityWork(alice.publicKey.raw)} zero bits; the receiver's hive requires ${WORK_BITS} (id_work_bits).`, rule: 'R24', entries: delta, context: { id_work_bits: WORK_BITS } },
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
  const decoded = c.structural === true ? null : envelopeToJson(1, peerIdFromPrivateKey(author).toString(), header, c.entries ?? [])
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

/** Two-space JSON, with number pairs (histogram buckets) kept on one line. */
const json = (value: unknown): string => JSON.stringify(value, null, 2).replace(/\[\s+(-?\d+),\s+(-?\d+)\s+\]/g, '[$1, $2]') + '\n'

mkdirSync(vectorsDir, { recursive: true })
for (const file of readdirSync(vectorsDir)) if (file.endsWith('.json')) rmSync(join(vectorsDir, file))
for (const c of cases) writeFileSync(join(vectorsDir, `${c.name}.json`), json(vectorOf(c)))
writeFileSync(join(out, 'histogram-buckets.json'), json({
  relative_accuracy: RELATIVE_ACCURACY,
  gamma: GAMMA,
  min_s: MIN_S,
  bucket_count: BUCKET_COUNT,
  upper_bounds_s: [...UPPER_BOUNDS]
}))
writeFileSync(join(out, 'seq-set-vectors.json'), JSON.stringify(seqSetVectors(), null, 2).replace(/\[\s+(\d+),\s+(\d+)\s+\]/g, '[$1, $2]') + '\n')
console.log(`wrote ${cases.length} vectors to ${vectorsDir}, ${join(out, 'histogram-buckets.json')} and ${join(out, 'seq-set-vectors.json')}`)
