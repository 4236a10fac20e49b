import { normalCdf } from './normal.js'

/** Two-sided p-value of a z statistic. */
export function twoSidedP (z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z)))
}

export interface TrendTest {
  /** > 0 rising, < 0 falling */
  z: number
  /** two-sided */
  p: number
}

/**
 * Cochran–Armitage test for a linear trend in proportions (Cochran 1954, Armitage 1955): pass
 * counts x_i out of n_i at scores t_i (here the day number).
 *
 *   T = Σ x_i (t_i - t̄),  t̄ = Σ n_i t_i / N,  Var(T) = p̄(1 - p̄) Σ n_i (t_i - t̄)²,  Z = T / sqrt(Var)
 *
 * Assumes independent outcomes with a pass probability that is linear (or monotone) in the
 * score; the null is a constant pass rate. Null when it cannot run (one score, or p̄ of 0 or 1).
 */
export function cochranArmitage (points: ReadonlyArray<{ score: number, pass: number, n: number }>): TrendTest | null {
  const used = points.filter(p => p.n > 0)
  const total = used.reduce((s, p) => s + p.n, 0)
  if (used.length < 2 || total === 0) return null
  const passes = used.reduce((s, p) => s + p.pass, 0)
  const rate = passes / total
  const mean = used.reduce((s, p) => s + p.n * p.score, 0) / total
  const t = used.reduce((s, p) => s + p.pass * (p.score - mean), 0)
  const spread = used.reduce((s, p) => s + p.n * (p.score - mean) ** 2, 0)
  const variance = rate * (1 - rate) * spread
  if (!(variance > 0)) return null
  const z = t / Math.sqrt(variance)
  return { z, p: twoSidedP(z) }
}

/**
 * Mann–Kendall test for a monotone trend in a series (Mann 1945, Kendall 1975):
 * S = Σ_{i<j} sign(x_j - x_i), variance with the tie correction
 * [n(n-1)(2n+5) - Σ t(t-1)(2t+5)] / 18, continuity-corrected Z = (S ∓ 1)/sqrt(Var).
 * Distribution-free (no normality of the values), assumes independent observations. Null with
 * fewer than 3 values or when every value ties.
 */
export function mannKendall (values: readonly number[]): (TrendTest & { s: number }) | null {
  const n = values.length
  if (n < 3) return null
  let s = 0
  values.forEach((vi, i) => {
    // biome-ignore lint/style/noNonNullAssertion: i < j < n
    for (let j = i + 1; j < n; j++) s += Math.sign(values[j]! - vi)
  })
  const ties = new Map<number, number>()
  for (const v of values) ties.set(v, (ties.get(v) ?? 0) + 1)
  let tieTerm = 0
  for (const t of ties.values()) tieTerm += t * (t - 1) * (2 * t + 5)
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18
  if (!(variance > 0)) return null
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0
  return { z, p: twoSidedP(z), s }
}
