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
