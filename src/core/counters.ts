import { bucketOf } from './histogram.js'
import { COUNTER_SCALARS, emptyCounters, type CounterKey, type Counters, type Outcome } from './types.js'

/** The counters one outcome contributes (fixed-point sums: ms and micro-USD). */
export function countersOfOutcome (o: Outcome): Counters {
  const c = emptyCounters()
  c.n = 1
  c[o.outcome] = 1
  c.offloaded = o.offloaded ? 1 : 0
  if (o.durationS !== null) {
    c.sumDurationMs = Math.round(o.durationS * 1000)
    c.nDuration = 1
    c.hist.set(bucketOf(o.durationS), 1)
  }
  if (o.costUsd !== null) {
    c.sumCostMicros = Math.round(o.costUsd * 1_000_000)
    c.nCost = 1
  }
  return c
}

/** into += other. Spelled out field by field: a loop over field names is megamorphic and slow here. */
export function addCounters (into: Counters, other: Counters): Counters {
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
  for (const [k, v] of other.hist) into.hist.set(k, (into.hist.get(k) ?? 0) + v)
  return into
}

/** Element-wise max: the G-Counter merge of DESIGN section 3. */
export function maxCounters (a: Counters, b: Counters): Counters {
  const m = emptyCounters()
  for (const f of COUNTER_SCALARS) m[f] = Math.max(a[f], b[f])
  for (const [k, v] of a.hist) m.hist.set(k, v)
  for (const [k, v] of b.hist) m.hist.set(k, Math.max(m.hist.get(k) ?? 0, v))
  return m
}

/** newer - older, for counters where newer >= older element-wise. */
export function diffCounters (newer: Counters, older: Counters): Counters {
  const d = emptyCounters()
  for (const f of COUNTER_SCALARS) d[f] = newer[f] - older[f]
  for (const [k, v] of newer.hist) {
    const delta = v - (older.hist.get(k) ?? 0)
    if (delta !== 0) d.hist.set(k, delta)
  }
  return d
}

export function isZeroCounters (c: Counters): boolean {
  return COUNTER_SCALARS.every(f => c[f] === 0) && [...c.hist.values()].every(v => v === 0)
}

export function keyString (k: CounterKey): string {
  return `${k.taskType}\u0000${k.tool}\u0000${k.model}\u0000${k.day}`
}
