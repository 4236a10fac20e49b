import { MAX_LABEL_CHARS } from '../core/limits.js'
import { COUNTER_SCALARS, type CounterEntry } from '../core/types.js'
import { ENTRY_FIXED, type DecodeLimits } from './constants.js'
import { fail } from './errors.js'
import { toInt, unpackStrict, type WireValue } from './msgpack.js'

/**
 * The payload: `[base_day, strings, entries]` (protocol/README.md, "Payload"). Each distinct
 * string is written once and entries refer to it by index; days are offsets from base_day and
 * histogram buckets are gaps from the previous bucket, so nearly every integer in an entry fits
 * a one-byte msgpack fixint. The histogram pairs follow an entry's 15 fixed integers in the same
 * array rather than in one of their own, which saves an array header per entry.
 */

/** payload, entries, one entry */
const PAYLOAD_DEPTH = 3

/** One entry as it travelled, after the shape checks (R11, R12) and before the value rules. */
export interface WireEntry {
  taskType: string
  tool: string
  model: string
  /** R19 checks it */
  dayOffset: number
  /** COUNTER_SCALARS order; R14 checks them */
  scalars: number[]
  /** [first bucket, count, gap, count, ...]: the entry's integers after the fixed 15; R17 checks them */
  hist: number[]
}

export interface WirePayload {
  baseDay: number
  entries: WireEntry[]
}

/** The payload of `entries` as a wire value (pack() it for the bytes). */
export function payloadWire (entries: readonly CounterEntry[]): WireValue {
  const strings: string[] = []
  const indexOf = new Map<string, number>()
  const ref = (s: string): number => {
    let i = indexOf.get(s)
    if (i === undefined) {
      i = strings.length
      strings.push(s)
      indexOf.set(s, i)
    }
    return i
  }
  let baseDay = entries[0]?.day ?? 0
  for (const e of entries) baseDay = Math.min(baseDay, e.day)
  const rows = entries.map(e => [
    ref(e.taskType), ref(e.tool), ref(e.model), e.day - baseDay,
    ...COUNTER_SCALARS.map(f => e[f]),
    ...histWire(e.hist)
  ])
  return [baseDay, strings, rows]
}

export function histWire (hist: ReadonlyMap<number, number>): number[] {
  const buckets = [...hist.keys()].filter(k => (hist.get(k) ?? 0) > 0).sort((a, b) => a - b)
  const out: number[] = []
  let previous = 0
  buckets.forEach((k, i) => {
    out.push(i === 0 ? k : k - previous, hist.get(k) ?? 0)
    previous = k
  })
  return out
}

/** R11 (shape) and R12 (bounds) of a payload. */
export function decodePayload (bytes: Uint8Array, limits: DecodeLimits): WirePayload {
  const value = unpackStrict(bytes, PAYLOAD_DEPTH, 'R11', 'payload')
  // R11: [base_day: int, strings: [str...], entries: [entry...]]
  if (!Array.isArray(value) || value.length !== 3) fail('R11', 'must be an array [base_day, strings, entries]', 'payload')
  const [baseRaw, strings, rows] = value as unknown[]
  const baseDay = toInt(baseRaw)
  if (baseDay === undefined) fail('R11', 'must be an integer', 'base_day')
  if (!Array.isArray(strings) || !strings.every(s => typeof s === 'string')) fail('R11', 'must be an array of strings', 'strings')
  if (!Array.isArray(rows)) fail('R11', 'must be an array', 'entries')
  // R12: bounds first, so the per-entry work below is bounded too
  if (rows.length > limits.maxEntries) fail('R12', `${rows.length} entries, at most ${limits.maxEntries} allowed`, 'entries')
  if (strings.length > 3 * limits.maxEntries) fail('R12', `${strings.length} strings, at most ${3 * limits.maxEntries} allowed`, 'strings')
  strings.forEach((s: string, i) => {
    if (s.length > MAX_LABEL_CHARS) fail('R12', `${s.length} UTF-16 code units, at most ${MAX_LABEL_CHARS}`, `strings[${i}]`)
  })
  return { baseDay, entries: rows.map((row, i) => wireEntry(row, `entries[${i}]`, strings)) }
}

function wireEntry (row: unknown, field: string, strings: string[]): WireEntry {
  // R11: 15 integers, then the histogram's (bucket, count) integers
  if (!Array.isArray(row) || row.length < ENTRY_FIXED) fail('R11', `must be an array of at least ${ENTRY_FIXED} integers`, field)
  const ints = row.map(toInt)
  const bad = ints.findIndex(v => v === undefined)
  if (bad >= 0) fail('R11', `element ${bad} must be an integer`, field)
  // every element an integer (just checked), at least ENTRY_FIXED of them (checked above)
  const [t, tool, model, dayOffset, ...rest] = ints as [number, number, number, number, ...number[]]
  const scalars = rest.slice(0, ENTRY_FIXED - 4)
  const hist = rest.slice(ENTRY_FIXED - 4)
  // R12: string indices point into the table
  const label = (index: number, name: string): string => {
    const text = strings[index]
    if (text === undefined) fail('R12', `string index ${index} outside the table of ${strings.length}`, `${field}.${name}`)
    return text
  }
  return {
    taskType: label(t, 'task_type'),
    tool: label(tool, 'tool'),
    model: label(model, 'model'),
    dayOffset,
    scalars,
    hist
  }
}
