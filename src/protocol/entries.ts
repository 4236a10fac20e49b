import { BUCKET_COUNT } from '../core/histogram.js'
import { CLOCK_SKEW_MS } from '../core/limits.js'
import { dayOf, windowStartDay } from '../core/time.js'
import { COUNTER_SCALARS, COUNTER_WIRE_NAMES, OUTCOME_CLASSES, emptyCounters, type CounterEntry, type Counters } from '../core/types.js'
import { MAX_COST_MICROS, MAX_DURATION_MS } from './constants.js'
import { fail } from './errors.js'
import type { WireEntry, WirePayload } from './payload.js'

export interface EntryContext {
  nowMs: number
  retentionDays: number
}

export interface CheckedEntries {
  /** the entries inside the retention window: the ones to merge */
  entries: CounterEntry[]
  /** entries older than the retention window, skipped (R21) */
  stale: number
}

/** R13-R20 on every entry, then the envelope-wide R28 (future days) and R21 (stale). */
export function checkEntries (payload: WirePayload, ctx: EntryContext): CheckedEntries {
  // R19: base_day is a valid day number
  if (!Number.isSafeInteger(payload.baseDay) || payload.baseDay < 0) fail('R19', 'must be a non-negative safe integer', 'base_day')
  const lastDay = dayOf(ctx.nowMs + CLOCK_SKEW_MS)
  let future: { day: number, field: string } | undefined
  const firstLiveDay = windowStartDay(ctx.nowMs, ctx.retentionDays)
  const seen = new Set<string>()
  const entries: CounterEntry[] = []
  let stale = 0
  payload.entries.forEach((wire, i) => {
    const field = `entries[${i}]`
    const entry = checkEntry(wire, payload.baseDay, field)
    if (entry.day > lastDay && future === undefined) future = { day: entry.day, field: `${field}.day` }
    // R20: one key, one entry (two would make the merge depend on their order)
    // JSON, not a separator join: labels may contain any character, so only this is collision-free
    const key = JSON.stringify([entry.taskType, entry.tool, entry.model, entry.day])
    if (seen.has(key)) fail('R20', 'duplicate (task_type, tool, model, day)', field)
    seen.add(key)
    // R21: days already pruned everywhere are not merged
    if (entry.day < firstLiveDay) stale++
    else entries.push(entry)
  })
  // R28: after the REJECT rules, so a malformed envelope is refused whatever its days: a day
  // ahead of our clock means one of the two clocks is wrong, which proves nothing about the sender
  if (future !== undefined) fail('R28', `day ${future.day} is in the future (last allowed ${lastDay}): the origin's clock or ours is wrong`, future.field)
  // R21: a message with nothing left to merge is stale as a whole
  if (stale > 0 && entries.length === 0) fail('R21', `every entry is older than the ${ctx.retentionDays}-day retention window`, 'entries')
  return { entries, stale }
}

function checkEntry (wire: WireEntry, baseDay: number, field: string): CounterEntry {
  // R13: the model may be '' (unspecified), the others may not
  if (wire.taskType.length === 0) fail('R13', 'must not be empty', `${field}.task_type`)
  if (wire.tool.length === 0) fail('R13', 'must not be empty', `${field}.tool`)

  const c = scalarsOf(wire.scalars, field)
  // R14: every outcome counts once
  if (c.n < 1) fail('R14', 'must be at least 1', `${field}.n`)
  // R15: each outcome is in exactly one class
  const classes = OUTCOME_CLASSES.reduce((sum, k) => sum + c[k], 0)
  if (classes !== c.n) fail('R15', `outcome classes sum to ${classes}, n is ${c.n}`, `${field}.n`)
  // R16: sub-counts of n
  if (c.offloaded > c.n) fail('R16', `${c.offloaded} > n (${c.n})`, `${field}.offloaded`)
  if (c.nDuration > c.n) fail('R16', `${c.nDuration} > n (${c.n})`, `${field}.n_duration`)
  if (c.nCost > c.n) fail('R16', `${c.nCost} > n (${c.n})`, `${field}.n_cost`)
  c.hist = histOf(wire.hist, c.nDuration, `${field}.hist`)
  // R18: each outcome adds at most 7 days and MAX_COST_USD, so larger sums are impossible
  if (c.sumDurationMs > c.nDuration * MAX_DURATION_MS) fail('R18', `exceeds n_duration x ${MAX_DURATION_MS}`, `${field}.sum_duration_ms`)
  if (c.sumCostMicros > c.nCost * MAX_COST_MICROS) fail('R18', `exceeds n_cost x ${MAX_COST_MICROS}`, `${field}.sum_cost_micros`)
  // R19: a real UTC day number
  const day = baseDay + wire.dayOffset
  if (!Number.isSafeInteger(wire.dayOffset) || wire.dayOffset < 0 || !Number.isSafeInteger(day)) {
    fail('R19', 'day offset must be a non-negative safe integer', `${field}.day`)
  }
  return { taskType: wire.taskType, tool: wire.tool, model: wire.model, day, ...c }
}

function scalarsOf (scalars: number[], field: string): Counters {
  const c = emptyCounters()
  COUNTER_SCALARS.forEach((name, i) => {
    const v = scalars[i]
    // R14: exact integers only, so merges and sums stay exact on every node
    if (v === undefined || !Number.isSafeInteger(v) || v < 0) fail('R14', 'must be a non-negative safe integer', `${field}.${COUNTER_WIRE_NAMES[name]}`)
    c[name] = v
  })
  return c
}

/** R17: [first bucket, count, gap, count, ...] with gaps >= 1, buckets < BUCKET_COUNT, counts >= 1, total = n_duration. */
function histOf (flat: number[], nDuration: number, field: string): Map<number, number> {
  if (flat.length % 2 !== 0) fail('R17', 'must hold (bucket, count) pairs', field)
  if (flat.length > 2 * BUCKET_COUNT) fail('R17', `more than ${BUCKET_COUNT} buckets`, field)
  const hist = new Map<number, number>()
  let bucket = -1
  let total = 0
  for (let i = 0; i < flat.length; i += 2) {
    const step = flat[i]
    const count = flat[i + 1]
    if (step === undefined || count === undefined) fail('R17', 'must hold (bucket, count) pairs', field)
    if (i === 0 ? step < 0 : step < 1) fail('R17', 'buckets must be strictly ascending', field)
    bucket += i === 0 ? step + 1 : step
    if (bucket >= BUCKET_COUNT) fail('R17', `bucket ${bucket} >= ${BUCKET_COUNT}`, field)
    if (!Number.isSafeInteger(count) || count < 1) fail('R17', 'counts must be positive safe integers', field)
    hist.set(bucket, count)
    total += count
  }
  if (total !== nDuration) fail('R17', `total ${total} != n_duration ${nDuration}`, field)
  return hist
}
