/**
 * The protocol-wide latency histogram (protocol/README.md, "Counters"): fixed logarithmic buckets in the
 * DDSketch style, so that peers' histograms merge exactly (element-wise) and quantiles read
 * from a merged histogram are within RELATIVE_ACCURACY of the true value.
 *
 * Bucket 0 holds (0, MIN_S]; bucket k >= 1 holds (MIN_S * GAMMA^(k-1), MIN_S * GAMMA^k].
 * The normative boundary table is `protocol/histogram-buckets.json`; histogram-bounds.ts holds
 * it as data (never recomputed: libm results differ across engines), checked by a test.
 */
import { UPPER_BOUNDS_S } from './histogram-bounds.js'

export const RELATIVE_ACCURACY = 0.05
export const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
/** smallest distinguished duration, seconds (1 ms) */
export const MIN_S = 0.001
/** largest valid duration, seconds (7 days, README.md "Recording outcomes") */
export const MAX_S = 7 * 86_400

/** UPPER_BOUNDS[k] is the inclusive upper boundary of bucket k, in seconds (the normative table, as data). */
export const UPPER_BOUNDS: Float64Array = Float64Array.from(UPPER_BOUNDS_S)
export const BUCKET_COUNT = UPPER_BOUNDS.length

/** The bucket of a duration in seconds (0 < s <= MAX_S; larger values clamp to the last bucket). */
export function bucketOf (seconds: number): number {
  let lo = 0
  let hi = BUCKET_COUNT - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    // biome-ignore lint/style/noNonNullAssertion: lo <= mid < hi <= BUCKET_COUNT - 1
    if (seconds <= UPPER_BOUNDS[mid]!) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * The value that stands for bucket k: within RELATIVE_ACCURACY of anything in it. k <
 * BUCKET_COUNT: histograms hold only buckets bucketOf made or rule R17 admitted from a peer.
 */
export function bucketValue (k: number): number {
  if (k === 0) return MIN_S / 2
  // biome-ignore lint/style/noNonNullAssertion: k < BUCKET_COUNT, as said above
  return 2 * UPPER_BOUNDS[k]! / (GAMMA + 1)
}

/**
 * Quantiles qs (each 0..1, ascending) of an encoded histogram (encodeHist's form: buckets in
 * ascending order), in seconds; nulls when it is empty. Reads the bytes twice and builds no Map:
 * decoding each arm's histogram into a Map was most of what a best() call allocated.
 */
export function quantiles<const Q extends readonly number[]> (encoded: Uint8Array | null, qs: Q): QuantilesOf<Q> {
  let total = 0
  let last = -1
  for (let i = 0; encoded !== null && i < encoded.length;) {
    // biome-ignore lint/style/noNonNullAssertion: i < encoded.length (the loop condition)
    last = encoded[i]!
    total += readCount(encoded, i + 1)
    i = countEnd(encoded, i + 1)
  }
  if (total === 0 || encoded === null) return qs.map(() => null) as QuantilesOf<Q>
  const out: Array<number | null> = []
  let seen = 0
  for (let i = 0; i < encoded.length && out.length < qs.length;) {
    // biome-ignore lint/style/noNonNullAssertion: i < encoded.length (the loop condition)
    const k = encoded[i]!
    seen += readCount(encoded, i + 1)
    i = countEnd(encoded, i + 1)
    // biome-ignore lint/style/noNonNullAssertion: out.length < qs.length, checked just before
    while (out.length < qs.length && seen > qs[out.length]! * (total - 1)) out.push(bucketValue(k))
  }
  while (out.length < qs.length) out.push(bucketValue(last))
  return out as QuantilesOf<Q>
}

/** One quantile (or null) per requested q, position for position: `[p50, p90]` of `[0.5, 0.9]`. */
export type QuantilesOf<Q extends readonly number[]> = { -readonly [K in keyof Q]: number | null }

export function histTotal (hist: ReadonlyMap<number, number>): number {
  let total = 0
  for (const count of hist.values()) total += count
  return total
}

/** Adds `other` into `into` (used to sum origins and days). */
export function addHist (into: Map<number, number>, other: ReadonlyMap<number, number>): void {
  other.forEach((c, k) => { into.set(k, (into.get(k) ?? 0) + c) })
}

/** Most bytes one bucket takes: its index, then a count of up to 2^70 as LEB128 (10 bytes). */
const MAX_BUCKET_BYTES = 11

/** Writes bucket k with count c (LEB128) at `at`; returns the next offset. Empty buckets are not written. */
function writeBucket (out: Buffer, at: number, k: number, c: number): number {
  if (c <= 0) return at
  out[at++] = k
  while (c >= 0x80) { out[at++] = (c % 0x80) | 0x80; c = Math.floor(c / 0x80) }
  out[at++] = c
  return at
}

/**
 * The LEB128 count starting at `from`. Bounded: input that ends inside a count, or a count
 * longer than 10 bytes, ends the histogram (a stored blob is never malformed, but nothing here
 * may loop on bad bytes). countEnd gives the offset after it: two plain numbers, because a
 * returned [count, next] pair was an allocation per bucket on the hot paths.
 */
function readCount (bytes: Uint8Array, from: number): number {
  let c = 0
  let mul = 1
  const end = Math.min(countEnd(bytes, from), from + MAX_BUCKET_BYTES - 1)
  for (let p = from; p < end; p++) {
    // biome-ignore lint/style/noNonNullAssertion: p < end <= countEnd(...) <= bytes.length
    c += (bytes[p]! & 0x7f) * mul
    mul *= 0x80
  }
  return c
}

/** The offset after the LEB128 count starting at `from` (bounded as readCount says). */
function countEnd (bytes: Uint8Array, from: number): number {
  for (let p = from; p < bytes.length && p < from + MAX_BUCKET_BYTES - 1; p++) {
    // biome-ignore lint/style/noNonNullAssertion: p < bytes.length (the loop condition)
    if (bytes[p]! < 0x80) return p + 1
  }
  return bytes.length
}

/**
 * Compact storage form for SQLite: for each non-empty bucket in ascending order,
 * one byte of bucket index then the count as unsigned LEB128.
 */
export function encodeHist (hist: ReadonlyMap<number, number>): Buffer {
  const keys = [...hist.keys()].sort((a, b) => a - b)
  const out = Buffer.allocUnsafe(keys.length * MAX_BUCKET_BYTES)
  let at = 0
  for (const k of keys) at = writeBucket(out, at, k, hist.get(k) ?? 0)
  return out.subarray(0, at)
}

/**
 * Combines two encoded histograms bucket by bucket without building Maps (`combine` is + for
 * sums, max for the CRDT merge). This runs inside SQLite upserts, once per changed row.
 */
export function mergeEncodedHists (a: Uint8Array, b: Uint8Array, combine: (x: number, y: number) => number): Buffer {
  // every bucket takes at least 2 bytes, so a and b hold at most (a.length + b.length) / 2 buckets
  const out = Buffer.allocUnsafe(Math.ceil((a.length + b.length) / 2) * MAX_BUCKET_BYTES)
  let i = 0
  let j = 0
  let at = 0
  while (i < a.length || j < b.length) {
    // biome-ignore lint/style/noNonNullAssertion: read only when i < a.length
    const ka = i < a.length ? a[i]! : 256
    // biome-ignore lint/style/noNonNullAssertion: read only when j < b.length
    const kb = j < b.length ? b[j]! : 256
    if (ka < kb) {
      at = writeBucket(out, at, ka, combine(readCount(a, i + 1), 0))
      i = countEnd(a, i + 1)
    } else if (kb < ka) {
      at = writeBucket(out, at, kb, combine(0, readCount(b, j + 1)))
      j = countEnd(b, j + 1)
    } else {
      at = writeBucket(out, at, ka, combine(readCount(a, i + 1), readCount(b, j + 1)))
      i = countEnd(a, i + 1)
      j = countEnd(b, j + 1)
    }
  }
  return out.subarray(0, at)
}

/** mergeEncodedHists where either side may be absent or empty (SQL NULL, a fresh row). */
export function combineHistBlobs (a: Buffer | null, b: Buffer | null, combine: (x: number, y: number) => number): Buffer | null {
  if (a == null || a.length === 0) return b
  if (b == null || b.length === 0) return a
  return mergeEncodedHists(a, b, combine)
}

const add = (x: number, y: number): number => x + y

/** The bucket-wise sum of two encoded histograms, either of which may be absent or empty. */
export function addHistBlobs (a: Buffer | null, b: Buffer | null): Buffer | null {
  return combineHistBlobs(a, b, add)
}

export function decodeHist (bytes: Uint8Array | null | undefined, into: Map<number, number> = new Map()): Map<number, number> {
  if (bytes == null) return into
  let i = 0
  while (i < bytes.length) {
    // biome-ignore lint/style/noNonNullAssertion: i < bytes.length (the loop condition)
    const k = bytes[i]!
    into.set(k, (into.get(k) ?? 0) + readCount(bytes, i + 1))
    i = countEnd(bytes, i + 1)
  }
  return into
}
