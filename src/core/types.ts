/** Data model (README.md, "Recording outcomes"; protocol/README.md, "Counters"): outcomes (local only) and the counters that are shared. */

export const OUTCOME_CLASSES = ['pass', 'grader_fail', 'timeout', 'no_tool_calls', 'error'] as const
export type OutcomeClass = typeof OUTCOME_CLASSES[number]

/** Which counters a query reads: `local` (this node's) or `hive` (every origin's, this node included). */
export type Scope = 'local' | 'hive'

/** An origin (a node whose counters this node holds) as the API and `hivebench peers --json` show it. */
export interface OriginJson {
  peer_id: string
  self: boolean
  last_seq: number
  snapshot_seq: number
  /** when this node first saw the origin: seniority (the hive ranking pools origins first seen under 7 days ago) counts from here */
  first_seen: string | null
  last_seen: string | null
  envelopes: number
  keys: number
}

/** What recording tells its caller: outcomes stored, and outcomes skipped because their id was recorded before. */
export interface RecordResult {
  recorded: number
  duplicates: number
}

/** One validated task attempt. Times are epoch milliseconds; money and durations as given. */
export interface Outcome {
  taskType: string
  tool: string
  /** '' = unspecified */
  model: string
  outcome: OutcomeClass
  /** null = unknown (never 0) */
  durationS: number | null
  costUsd: number | null
  offloaded: boolean
  /** never leaves the node */
  userId: string | null
  /** client idempotency key */
  id: string | null
  atMs: number
}

/** The identity of one shared counter row (protocol/README.md, "Counters"). `day` = UTC days since 1970-01-01. */
export interface CounterKey {
  taskType: string
  tool: string
  model: string
  day: number
}

/**
 * The 11 scalar counters of one key, declared once: their order is the wire order of an entry
 * (protocol/README.md, "Payload"), and their wire and JSON names (COUNTER_WIRE_NAMES), the SQL
 * columns (store/counter-columns.ts) and the types below are derived from this list. Every field
 * only grows for a given origin, so peers merge them by element-wise max. Sums are fixed-point
 * integers (milliseconds, micro-USD) so that merges and hive sums are exact and byte-identical
 * on every node, whatever the order.
 */
export const COUNTER_SCALARS = [
  'n', ...OUTCOME_CLASSES, 'offloaded',
  'sumDurationMs', 'nDuration', 'sumCostMicros', 'nCost'
] as const
export type CounterScalar = typeof COUNTER_SCALARS[number]

/** Counters without the histogram. */
export type ScalarCounters = Record<CounterScalar, number>

export interface Counters extends ScalarCounters {
  /** sparse latency histogram: bucket index -> count (see core/histogram.ts) */
  hist: Map<number, number>
}

export interface CounterEntry extends CounterKey, Counters {}

/** `sumDurationMs` -> `sum_duration_ms`, at the type level */
export type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S

/** The snake_case name of each counter: on the wire's JSON form, in the HTTP API and in protocol/README.md. */
export const COUNTER_WIRE_NAMES = Object.fromEntries(
  COUNTER_SCALARS.map(f => [f, f.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`)])
) as { [F in CounterScalar]: SnakeCase<F> }

export function emptyScalars (): ScalarCounters {
  return {
    n: 0, pass: 0, grader_fail: 0, timeout: 0, no_tool_calls: 0, error: 0, offloaded: 0,
    sumDurationMs: 0, nDuration: 0, sumCostMicros: 0, nCost: 0
  }
}

export function emptyCounters (): Counters {
  return Object.assign(emptyScalars(), { hist: new Map<number, number>() })
}

/**
 * Builds an entry field by field: on Node 20, `{ ...key, ...counters }` takes the slow
 * object-clone path (~10 µs), which dominated recording before this existed.
 */
export function counterEntry (key: CounterKey, c: Counters): CounterEntry {
  return {
    taskType: key.taskType,
    tool: key.tool,
    model: key.model,
    day: key.day,
    n: c.n,
    pass: c.pass,
    grader_fail: c.grader_fail,
    timeout: c.timeout,
    no_tool_calls: c.no_tool_calls,
    error: c.error,
    offloaded: c.offloaded,
    sumDurationMs: c.sumDurationMs,
    nDuration: c.nDuration,
    sumCostMicros: c.sumCostMicros,
    nCost: c.nCost,
    hist: c.hist
  }
}
