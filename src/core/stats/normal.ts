/**
 * The standard normal distribution, to double precision: every test of the gate and of the
 * trends ends in a z statistic. Φ uses its Taylor series near 0 and Laplace's continued
 * fraction in the tails (where p-values are tiny and must not round to 0 - 1); the inverse
 * starts from Acklam's rational approximation and is polished by Newton steps on Φ.
 */

const INV_SQRT_2PI = 0.3989422804014327

export function normalPdf (x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x)
}

/** Upper tail Q(x) = 1 - Φ(x) for x >= 0. */
function upperTail (x: number): number {
  if (x < 3) {
    // Φ(x) - 1/2 = φ(x) * (x + x^3/3 + x^5/(3*5) + ...): all terms positive, no cancellation
    let term = x
    let sum = x
    for (let k = 1; k < 500 && term > sum * 1e-17; k++) {
      term *= x * x / (2 * k + 1)
      sum += term
    }
    return 0.5 - normalPdf(x) * sum
  }
  // Q(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + ...)))), evaluated bottom-up (converges fast for x >= 3)
  let f = x
  for (let k = 60; k >= 1; k--) f = x + k / f
  return normalPdf(x) / f
}

/** Φ(x), the standard normal CDF. */
export function normalCdf (x: number): number {
  if (Number.isNaN(x)) return NaN
  if (x === Infinity) return 1
  if (x === -Infinity) return 0
  return x >= 0 ? 1 - upperTail(x) : upperTail(-x)
}

const A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00] as const
const B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01] as const
const C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00] as const
const D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00] as const
const P_LOW = 0.02425

function acklam (p: number): number {
  if (p < P_LOW || p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p < P_LOW ? p : 1 - p))
    const x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    return p < P_LOW ? x : -x
  }
  const q = p - 0.5
  const r = q * q
  return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
}

/** Φ⁻¹(p) for 0 < p < 1 (±Infinity at 0 and 1). */
export function normalQuantile (p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p}`)
  if (p === 0) return -Infinity
  if (p === 1) return Infinity
  let x = acklam(p)
  for (let i = 0; i < 3; i++) {
    const pdf = normalPdf(x)
    if (pdf === 0) break
    x -= (normalCdf(x) - p) / pdf
  }
  return x
}
