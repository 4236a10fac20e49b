import { BUCKET_COUNT, decodeHist, GAMMA, MIN_S, UPPER_BOUNDS } from '../histogram.js'
import { normalCdf } from './normal.js'

/**
 * The latency test of the gate: a two-sample quantile test (Mood's median test generalised to
 * any quantile q, as in Brown & Mood 1951) read straight off the protocol's log histograms.
 *
 * To test "the new q-quantile is more than (1 + s) times the old one", the old sample is scaled
 * by f = 1 + s (on the log buckets a shift of log(f)/log(γ) buckets, fractional, so counts are
 * split log-uniformly inside a bucket); c is the q-quantile of the pooled sample (new plus scaled
 * old); the share of each side above c is compared with the one-sided pooled two-proportion z
 * test. Under H0 (new q-quantile <= f · old q-quantile, same shape near it) the new side cannot
 * exceed c more often than the scaled old side; under a slowdown beyond f it does.
 *
 * Assumptions: independent durations; near the quantile the two distributions differ by a scale
 * factor (exact for the log-normal shift simulated by `npm run eval:gate`); large samples (the
 * exceedance counts are then near-normal). The histogram's 5% relative accuracy means a slowdown
 * much smaller than a bucket (~10%) is resolved only through the interpolation.
 */

/** A histogram ready for CDF queries: sorted buckets with counts. */
export interface HistCdf {
  total: number
  buckets: Array<{ lower: number, upper: number, count: number }>
}

const LOWEST = Math.log(MIN_S / GAMMA)

export function histCdf (encoded: Uint8Array | null): HistCdf {
  const map = decodeHist(encoded)
  const buckets = [...map.entries()]
    .filter(([k, c]) => c > 0 && k < BUCKET_COUNT)
    .sort((a, b) => a[0] - b[0])
    // biome-ignore lint/style/noNonNullAssertion: 0 <= k < BUCKET_COUNT (the filter above), so both bounds exist
    .map(([k, count]) => ({ lower: k === 0 ? LOWEST : Math.log(UPPER_BOUNDS[k - 1]!), upper: Math.log(UPPER_BOUNDS[k]!), count }))
  return { total: buckets.reduce((s, b) => s + b.count, 0), buckets }
}

/** Samples at or below e^logX, counts split log-uniformly inside a bucket. */
export function countBelow (h: HistCdf, logX: number): number {
  let below = 0
  for (const b of h.buckets) {
    if (logX >= b.upper) below += b.count
    else {
      if (logX > b.lower) below += b.count * (logX - b.lower) / (b.upper - b.lower)
      break
    }
  }
  return below
}

export interface QuantileTest {
  /** one-sided p-value of "new q-quantile > factor × old q-quantile" */
  p: number
  z: number
  /** the pooled threshold, seconds */
  thresholdS: number
  /** shares of each side above the threshold (old scaled by the factor) */
  shareNewAbove: number
  shareOldAbove: number
}

/**
 * The test above for quantile q (0 < q < 1) and factor f = 1 + maxSlowdown. Null when either
 * side has no durations.
 */
export function quantileSlowdownTest (newer: HistCdf, older: HistCdf, q: number, factor: number): QuantileTest | null {
  const n1 = newer.total
  const n0 = older.total
  if (n1 === 0 || n0 === 0) return null
  const shift = Math.log(factor)
  const pooledBelow = (logC: number): number => countBelow(newer, logC) + countBelow(older, logC - shift)
  // bisection on log c for the pooled q-quantile
  let lo = LOWEST - Math.abs(shift) - 1
  // biome-ignore lint/style/noNonNullAssertion: the fixed table is not empty
  let hi = Math.log(UPPER_BOUNDS[BUCKET_COUNT - 1]!) + Math.abs(shift) + 1
  const target = q * (n1 + n0)
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2
    if (pooledBelow(mid) < target) lo = mid
    else hi = mid
  }
  const logC = (lo + hi) / 2
  const above1 = n1 - countBelow(newer, logC)
  const above0 = n0 - countBelow(older, logC - shift)
  const share1 = above1 / n1
  const share0 = above0 / n0
  const pooled = (above1 + above0) / (n1 + n0)
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n0)
  const diff = share1 - share0
  const z = variance > 0 ? diff / Math.sqrt(variance) : 0
  return { p: 1 - normalCdf(z), z, thresholdS: Math.exp(logC), shareNewAbove: share1, shareOldAbove: share0 }
}
