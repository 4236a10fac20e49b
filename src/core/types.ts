/** Data model of DESIGN section 2: outcomes (local only) and the counters that are shared. */

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

/** The identity of one shared counter row: DESIGN section 2. `day` = UTC days since 1970-01-01. */
export interface CounterKey {
  taskType: string
  tool: string
  model: string
  day: number
}

/**
 * The shared counters of one key. Every field only grows for a given origin, so peers merge
 * them by element-wise max. Sums are fixed-point integers (milliseconds, micro-USD) so that
 * merges and hive sums are exact and byte-identical on every node, whatever the order.
 */
export interface Counters {
  n: number
  pass: number
  grader_fail: number
  timeout: number
  no_tool_calls: number
  error: number
  offloaded: number
  sumDurationMs: number
  nDuration: number
  sumCostMicros: number
  nCost: number
  /** sparse latency histogram: bucket index -> count (see core/histogram.ts) */
  hist: Map<number, number>
}

export interface CounterEntry extends CounterKey, Counters {}

/** Counters without the histogram. */
export type ScalarCounters = Omit<Counters, 'hist'>

export const COUNTER_SCALARS = [
  'n', 'pass', 'grader_fail', 'timeout', 'no_tool_calls', 'error', 'offloaded',
  'sumDurationMs', 'nDuration', 'sumCostMicros', 'nCost'
] as const satisfies ReadonlyArray<keyof Counters>

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
