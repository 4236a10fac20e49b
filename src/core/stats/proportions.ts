import { normalCdf, normalQuantile } from './normal.js'

/**
 * The pass-rate test of the gate: Farrington & Manning's (1990) score test for a ratio of two
 * binomial proportions against a margin. With p1 the new pass rate, p0 the old one and
 * θ = 1 - maxDrop, it tests
 *
 *   H0: p1 >= θ·p0  (the new side is not worse than the allowed drop)
 *   H1: p1 <  θ·p0  (the pass rate fell by more than maxDrop, relative)
 *
 * so "a drop larger than --max-drop" and "statistically significant" are one test, not two.
 *
 *   Z = (p̂1 - θ·p̂0) / sqrt(p̃1(1 - p̃1)/n1 + θ²·p̃0(1 - p̃0)/n0)
 *
 * where p̃0, p̃1 = θ·p̃0 are the maximum-likelihood estimates under the boundary of H0 (a closed
 * form: the smaller root of a quadratic). p for the drop is Φ(Z); Φ(-Z) is the p-value of the
 * mirror test (H0: p1 <= θ·p0), which is how the gate shows a drop beyond the margin is ruled out.
 * Assumptions: independent Bernoulli trials on each side, large-sample normality of Z (the eval
 * script measures its level at n = 20 per side). With θ = 1 it is the pooled two-proportion z test.
 */
export interface RatioScore {
  /** the score statistic; 0 when both sides are degenerate (nothing to compare) */
  z: number
  /** restricted MLEs of the old and new pass rates on the H0 boundary */
  restrictedOld: number
  restrictedNew: number
}

export function ratioScore (passNew: number, nNew: number, passOld: number, nOld: number, theta: number): RatioScore {
  if (!(nNew > 0 && nOld > 0)) throw new RangeError('both sides need n > 0')
  if (!(theta > 0)) throw new RangeError(`ratio margin must be > 0, got ${theta}`)
  const total = nNew + nOld
  const a = theta * total
  const b = -(theta * nNew + passNew + nOld + theta * passOld)
  const c = passNew + passOld
  const disc = Math.max(0, b * b - 4 * a * c)
  // the smaller root, written to avoid cancellation when c is small
  const root = c === 0 ? 0 : (2 * c) / (-b + Math.sqrt(disc))
  const p0 = Math.min(1, Math.max(0, root))
  const p1 = Math.min(1, theta * p0)
  const variance = p1 * (1 - p1) / nNew + theta * theta * p0 * (1 - p0) / nOld
  const diff = passNew / nNew - theta * passOld / nOld
  let z: number
  if (variance > 0) z = diff / Math.sqrt(variance)
  else z = diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity
  return { z, restrictedOld: p0, restrictedNew: p1 }
}

/** One-sided p-value that the new pass rate fell below (1 - maxDrop) of the old one. */
export function passRateDropP (passNew: number, nNew: number, passOld: number, nOld: number, maxDrop: number): number {
  return normalCdf(ratioScore(passNew, nNew, passOld, nOld, 1 - maxDrop).z)
}

/**
 * Samples per side for the gate to rule out a drop of `maxDrop` (reject H0: p1 <= θ·p0) with
 * the given power when both sides truly pass at rate p, at one-sided level alpha:
 *
 *   n = (z_{1-α} + z_{power})² · (p(1-p) + θ²·p(1-p)) / (p(1 - θ))²
 *
 * (the usual normal-approximation sample size, variance taken at the alternative). Infinity
 * when p = 0: a pass rate of zero cannot show it did not drop.
 */
export function samplesPerSide (p: number, maxDrop: number, alpha: number, power = 0.8): number {
  if (!(maxDrop > 0)) return Infinity
  if (!(p > 0)) return Infinity
  const theta = 1 - maxDrop
  const z = normalQuantile(1 - alpha) + normalQuantile(power)
  const variance = p * (1 - p) * (1 + theta * theta)
  return Math.ceil(z * z * variance / (p * (1 - theta)) ** 2)
}
