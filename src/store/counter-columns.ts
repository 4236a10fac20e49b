import { decodeHist, encodeHist } from '../core/histogram.js'
import { COUNTER_SCALARS, COUNTER_WIRE_NAMES, OUTCOME_CLASSES, type CounterScalar, type Counters, type ScalarCounters } from '../core/types.js'

/**
 * SQL column of each scalar counter, derived from COUNTER_SCALARS: the wire name, with the
 * outcome class counts prefixed `c_` (`error`, `timeout` and `pass` read badly as bare columns).
 */
export const SCALAR_COLUMNS = Object.fromEntries(COUNTER_SCALARS.map(f =>
  [f, (OUTCOME_CLASSES as readonly string[]).includes(f) ? `c_${f}` : COUNTER_WIRE_NAMES[f]])) as Record<CounterScalar, string>

export const SCALAR_COLUMN_LIST = COUNTER_SCALARS.map(f => SCALAR_COLUMNS[f])

/** A row as better-sqlite3 returns it: the scalar columns plus a `hist` blob. */
export type CounterRow = Record<string, number | Buffer | null | string>

const num = (v: unknown): number => v == null ? 0 : Number(v)

/**
 * Reads a counters row; absent columns read as 0 (countersFromRow({}) is all zero). Spelled out
 * rather than looped over SCALAR_COLUMNS: this runs per row read on every query and merge, and
 * a literal object is several times faster to build. ScalarCounters (derived from
 * COUNTER_SCALARS) makes a field missing here a compile error; test/counter-schema.test.ts
 * checks each field reads its own column.
 */
export function countersFromRow (row: CounterRow): Counters {
  return {
    n: num(row.n),
    pass: num(row.c_pass),
    grader_fail: num(row.c_grader_fail),
    timeout: num(row.c_timeout),
    no_tool_calls: num(row.c_no_tool_calls),
    error: num(row.c_error),
    offloaded: num(row.offloaded),
    sumDurationMs: num(row.sum_duration_ms),
    nDuration: num(row.n_duration),
    sumCostMicros: num(row.sum_cost_micros),
    nCost: num(row.n_cost),
    hist: decodeHist(row.hist as Buffer | null)
  }
}

/** Reads the scalar counters of a raw (array) row whose scalar columns start at `at`, in SCALAR_COLUMN_LIST order. */
export function scalarCountersFromValues (v: unknown[], at: number): ScalarCounters {
  return {
    n: num(v[at]),
    pass: num(v[at + 1]),
    grader_fail: num(v[at + 2]),
    timeout: num(v[at + 3]),
    no_tool_calls: num(v[at + 4]),
    error: num(v[at + 5]),
    offloaded: num(v[at + 6]),
    sumDurationMs: num(v[at + 7]),
    nDuration: num(v[at + 8]),
    sumCostMicros: num(v[at + 9]),
    nCost: num(v[at + 10])
  }
}

/**
 * Positional arguments for the scalar columns (COUNTER_SCALARS order) then the hist blob, in the column order of
 * upsertAddSql (positional binding is about twice as fast as named on this hot path).
 */
export function counterArgs (c: Counters): Array<number | Buffer> {
  return [c.n, c.pass, c.grader_fail, c.timeout, c.no_tool_calls, c.error, c.offloaded,
    c.sumDurationMs, c.nDuration, c.sumCostMicros, c.nCost, encodeHist(c.hist)]
}

/**
 * `INSERT ... ON CONFLICT DO UPDATE` that adds counters into a row of `table`. Arguments, in
 * order: the key columns, counterArgs(), then any `extraAdded` integer columns.
 */
export function upsertAddSql (table: string, keyColumns: string[], extraAdded: string[] = []): string {
  const cols = [...keyColumns, ...SCALAR_COLUMN_LIST, 'hist', ...extraAdded]
  const sets = [...[...SCALAR_COLUMN_LIST, ...extraAdded].map(c => `${c} = ${c} + excluded.${c}`), 'hist = hist_add(hist, excluded.hist)']
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${sets.join(', ')}`
}

/**
 * `n` summed, ..., `hist_sum(hist) AS hist` for GROUP BY queries. SQLite's SUM() raises an error
 * past 2^63, which hostile origins could reach by summing absurd counters; TOTAL() cast back
 * saturates instead (and is exact for every honest value, far below 2^53).
 */
export const SUM_SCALARS_SQL = SCALAR_COLUMN_LIST.map(c => `CAST(TOTAL(${c}) AS INTEGER) AS ${c}`).join(', ')
export const SUM_COUNTERS_SQL = `${SUM_SCALARS_SQL}, hist_sum(hist) AS hist`

/**
 * A histogram selected as `hex(hist)`: better-sqlite3 gives each BLOB its own off-heap Buffer,
 * while Buffer.from(hex) slices Node's pool, in about a third of the time (and far less GC work).
 */
export function histFromHex (hex: string | null): Buffer | null {
  return hex === null || hex === '' ? null : Buffer.from(hex, 'hex')
}
