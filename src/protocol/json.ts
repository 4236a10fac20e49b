import type { EnvelopeHeader } from './envelope.js'
import type { RuleId } from './errors.js'
import type { CounterEntry } from '../core/types.js'

/** The JSON form of envelopes in protocol/vectors (snake_case, histogram as [[bucket, count], ...] ascending). */
export interface EntryJson {
  task_type: string
  tool: string
  model: string
  day: number
  n: number
  pass: number
  grader_fail: number
  timeout: number
  no_tool_calls: number
  error: number
  offloaded: number
  sum_duration_ms: number
  n_duration: number
  sum_cost_micros: number
  n_cost: number
  hist: Array<[number, number]>
}

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
  return {
    task_type: e.taskType,
    tool: e.tool,
    model: e.model,
    day: e.day,
    n: e.n,
    pass: e.pass,
    grader_fail: e.grader_fail,
    timeout: e.timeout,
    no_tool_calls: e.no_tool_calls,
    error: e.error,
    offloaded: e.offloaded,
    sum_duration_ms: e.sumDurationMs,
    n_duration: e.nDuration,
    sum_cost_micros: e.sumCostMicros,
    n_cost: e.nCost,
    hist: [...e.hist].sort((a, b) => a[0] - b[0])
  }
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
}
