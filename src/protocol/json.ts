import type { EnvelopeHeader } from './envelope.js'
import type { RuleId } from './errors.js'
import { COUNTER_SCALARS, COUNTER_WIRE_NAMES, type CounterEntry, type CounterScalar, type SnakeCase } from '../core/types.js'

/** The JSON form of envelopes in protocol/vectors (snake_case, histogram as [[bucket, count], ...] ascending). */
export type EntryJson = { task_type: string, tool: string, model: string, day: number }
  & { [F in CounterScalar as SnakeCase<F>]: number }
  & { hist: Array<[number, number]> }

export interface EnvelopeJson {
  version: number
  origin: string
  seq: number
  kind: string
  created_at_ms: number
  part: number
  parts: number
  entries: EntryJson[]
}

export function entryToJson (e: CounterEntry): EntryJson {
  const counters = Object.fromEntries(COUNTER_SCALARS.map(f => [COUNTER_WIRE_NAMES[f], e[f]])) as { [F in CounterScalar as SnakeCase<F>]: number }
  return { task_type: e.taskType, tool: e.tool, model: e.model, day: e.day, ...counters, hist: [...e.hist].sort((a, b) => a[0] - b[0]) }
}

export function envelopeToJson (version: number, origin: string, header: EnvelopeHeader, entries: readonly CounterEntry[]): EnvelopeJson {
  return {
    version,
    origin,
    seq: header.seq,
    kind: header.kind,
    created_at_ms: header.createdAtMs,
    part: header.part,
    parts: header.parts,
    entries: entries.map(entryToJson)
  }
}

/** A verdict as vectors state it: the rule, for IGNORE and REJECT. */
export interface VectorVerdict {
  verdict: 'ACCEPT' | 'REJECT' | 'IGNORE'
  rule?: RuleId
}

/** The receiver a multi-envelope vector replays into (protocol/README.md, "Test vectors"). */
export interface VectorReceiver {
  now_ms: number
  retention_days: number
  /** the receiver's own identity, when the vector needs it (R25): the 32-byte Ed25519 seed, hex */
  self_seed_hex?: string
}

/** protocol/vectors/sequences and merges: envelopes received one after the other by one receiver. */
export interface SequenceVector extends VectorReceiver {
  name: string
  description: string
  steps: Array<{ hex: string } & VectorVerdict>
  /** merges/: every origin's counters the receiver holds afterwards, in origin then key order */
  merged?: Array<{ origin: string } & EntryJson>
}

/** protocol/vectors/framing: a byte stream of length-prefixed frames, as a file and as a sync response. */
export interface FramingVector extends VectorReceiver {
  name: string
  description: string
  hex: string
  /** the verdict of each complete frame read before the stream ended or broke */
  frames: VectorVerdict[]
  /** how the framing broke; null: it did not */
  error: null | 'truncated' | 'non-minimal-length' | 'oversize-length'
  /** what a file of these bytes gives: the frames' verdicts, or refused whole (nothing imported) */
  file: 'frames' | 'refused'
}

/** protocol/vectors/sync: a request frame's body, what the responder holds, and its answer. */
export interface SyncVector extends VectorReceiver {
  name: string
  description: string
  /** the responder's hive */
  hive: string
  /** envelopes the responder holds (each accepted when received) */
  held: string[]
  request_hex: string
  request: { version: number, hive: string, digests: Array<[string, number, Array<[number, number]>]>, page?: [string, string] }
  /** the request as it travels: one frame (varint length, then request_hex) */
  request_frame_hex: string
  /** indexes into `held` of the envelopes answered, in the order sent */
  response: number[]
  /** the answer as it travels: one frame per envelope of `response`, in order */
  response_frames_hex: string
}

/** One file of protocol/vectors (see protocol/README.md, "Test vectors"). */
export interface TestVector {
  name: string
  description: string
  hex: string
  decoded: EnvelopeJson | null
  verdict: 'ACCEPT' | 'REJECT' | 'IGNORE'
  rule?: RuleId
  now_ms: number
  retention_days: number
  allowlist?: string[]
  max_bytes?: number
  max_entries?: number
  /** R24: the receiver's identity work in bits; absent: 0 (the rule is off) */
  id_work_bits?: number
  /** R30 (stateful): the receiver's MAX_ARMS_PER_TASK_TYPE, for a receiver that holds nothing of the origin yet */
  max_arms_per_task_type?: number
  /** R30: indices into decoded.entries that such a receiver skips (the arms beyond its bound); it merges the others */
  skipped_entries?: number[]
}
