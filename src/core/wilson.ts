/** z for a two-sided 95% interval */
export const Z95 = 1.959963984540054

/**
 * Wilson score interval of a pass rate. Unlike the raw rate it accounts for sample size:
 * 5/5 has a lower bound of 0.57, 95/100 one of 0.89, so the larger sample ranks first.
 * Works with fractional (capped, weighted) counts.
 */
export function wilsonInterval (pass: number, n: number, z = Z95): { lower: number, upper: number } {
  if (n <= 0) return { lower: 0, upper: 1 }
  const p = pass / n
  const z2 = z * z
  const denom = 1 + z2 / n
  const centre = p + z2 / (2 * n)
  const margin = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
  return {
    lower: Math.max(0, (centre - margin) / denom),
    upper: Math.min(1, (centre + margin) / denom)
  }
}
