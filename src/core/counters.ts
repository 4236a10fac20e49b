import { addHist, bucketOf } from './histogram.js'
import { dayOf } from './time.js'
import { counterEntry, emptyCounters, type CounterEntry, type CounterKey, type Counters, type Outcome, type ScalarCounters } from './types.js'

/**
 * c += the counters of one outcome (fixed-point sums: ms and micro-USD), in place: recording
 * sums thousands per batch, so no object per outcome.
 */
export function addOutcomeTo (c: Counters, o: Outcome): Counters {
  c.n++
  c[o.outcome]++
  if (o.offloaded) c.offloaded++
  if (o.durationS !== null) {
    c.sumDurationMs += Math.round(o.durationS * 1000)
    c.nDuration++
    const bucket = bucketOf(o.durationS)
    c.hist.set(bucket, (c.hist.get(bucket) ?? 0) + 1)
  }
  if (o.costUsd !== null) {
    c.sumCostMicros += Math.round(o.costUsd * 1_000_000)
    c.nCost++
  }
  return c
}

/** Adds one outcome into the entry of its counter key in `byKey` (created on first use). */
export function addOutcome (byKey: Map<string, CounterEntry>, o: Outcome): void {
  const key = { taskType: o.taskType, tool: o.tool, model: o.model, day: dayOf(o.atMs) }
  const id = keyString(key)
  let entry = byKey.get(id)
  if (entry === undefined) {
    entry = counterEntry(key, emptyCounters())
    byKey.set(id, entry)
  }
  addOutcomeTo(entry, o)
}

/**
 * into += other. These functions spell the fields out: a loop over field names is a
 * megamorphic keyed access, several times slower on the recording and merge hot paths.
 */
export function addCounters (into: Counters, other: Counters): Counters {
  addScalars(into, other)
  addHist(into.hist, other.hist)
  return into
}

/** into += other for the scalar counters only. */
export function addScalars<T extends ScalarCounters> (into: T, other: ScalarCounters): T {
  into.n += other.n
  into.pass += other.pass
  into.grader_fail += other.grader_fail
  into.timeout += other.timeout
  into.no_tool_calls += other.no_tool_calls
  into.error += other.error
  into.offloaded += other.offloaded
  into.sumDurationMs += other.sumDurationMs
  into.nDuration += other.nDuration
  into.sumCostMicros += other.sumCostMicros
  into.nCost += other.nCost
  return into
}

/** Element-wise max: the G-Counter merge of protocol/README.md, "Merge semantics". */
export function maxCounters (a: Counters, b: Counters): Counters {
  const hist = new Map(a.hist)
  for (const [k, v] of b.hist) hist.set(k, Math.max(hist.get(k) ?? 0, v))
  return {
    n: Math.max(a.n, b.n),
    pass: Math.max(a.pass, b.pass),
    grader_fail: Math.max(a.grader_fail, b.grader_fail),
    timeout: Math.max(a.timeout, b.timeout),
    no_tool_calls: Math.max(a.no_tool_calls, b.no_tool_calls),
    error: Math.max(a.error, b.error),
    offloaded: Math.max(a.offloaded, b.offloaded),
    sumDurationMs: Math.max(a.sumDurationMs, b.sumDurationMs),
    nDuration: Math.max(a.nDuration, b.nDuration),
    sumCostMicros: Math.max(a.sumCostMicros, b.sumCostMicros),
    nCost: Math.max(a.nCost, b.nCost),
    hist
  }
}

/** newer - older, for counters where newer >= older element-wise. */
export function diffCounters (newer: Counters, older: Counters): Counters {
  const hist = new Map<number, number>()
  for (const [k, v] of newer.hist) {
    const delta = v - (older.hist.get(k) ?? 0)
    if (delta !== 0) hist.set(k, delta)
  }
  return {
    n: newer.n - older.n,
    pass: newer.pass - older.pass,
    grader_fail: newer.grader_fail - older.grader_fail,
    timeout: newer.timeout - older.timeout,
    no_tool_calls: newer.no_tool_calls - older.no_tool_calls,
    error: newer.error - older.error,
    offloaded: newer.offloaded - older.offloaded,
    sumDurationMs: newer.sumDurationMs - older.sumDurationMs,
    nDuration: newer.nDuration - older.nDuration,
    sumCostMicros: newer.sumCostMicros - older.sumCostMicros,
    nCost: newer.nCost - older.nCost,
    hist
  }
}

export function isZeroCounters (c: Counters): boolean {
  if (c.n !== 0 || c.offloaded !== 0 || c.sumDurationMs !== 0 || c.nDuration !== 0 || c.sumCostMicros !== 0 || c.nCost !== 0) return false
  if (c.pass !== 0 || c.grader_fail !== 0 || c.timeout !== 0 || c.no_tool_calls !== 0 || c.error !== 0) return false
  for (const v of c.hist.values()) if (v !== 0) return false
  return true
}

/**
 * A Map key for an arm (task type, tool, model). Labels may contain any character, so a
 * separator could collide: each label is prefixed by its length instead (cheaper than JSON).
 */
export function armKeyString (a: { taskType: string, tool: string, model: string }): string {
  return `${a.taskType.length}:${a.taskType}${a.tool.length}:${a.tool}${a.model.length}:${a.model}`
}

/**
 * Adds `c` into the entry of `map` under `mapKey`, creating it (for `key`) on first use; the
 * counters are copied then, never aliased. How recording, recomputation and the rollup sum
 * counters per key before touching SQLite.
 */
export function addToEntry (map: Map<string, CounterEntry>, mapKey: string, key: CounterKey, c: Counters): void {
  const existing = map.get(mapKey)
  if (existing === undefined) map.set(mapKey, counterEntry(key, addCounters(emptyCounters(), c)))
  else addCounters(existing, c)
}

/** A Map key for a counter key (arm and day). */
export function keyString (k: CounterKey): string {
  return `${armKeyString(k)}${k.day}`
}
