/** Seeded randomness for routing: the same seed gives the same decisions (tests, reproducible canaries). */

export type Random = () => number

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). Not for anything secret. */
export function mulberry32 (seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A 32-bit seed from a number or a string. A decimal integer string means that integer, so
 * `--seed 42`, `?seed=42` and `seed: 42` agree; any other string is hashed (FNV-1a).
 */
export function seedOf (seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0
  if (/^\d{1,10}$/.test(seed)) return Number(seed) >>> 0
  let h = 0x811C9DC5
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A PRNG seeded from `seed`, or Math.random when there is none. */
export function randomFor (seed?: number | string): Random {
  return seed === undefined ? Math.random : mulberry32(seedOf(seed))
}

function standardNormal (random: Random): number {
  // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Gamma(shape, 1) by Marsaglia–Tsang (2000); shapes below 1 use the u^(1/shape) boost. */
export function sampleGamma (shape: number, random: Random): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`)
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    const x = standardNormal(random)
    const v = (1 + c * x) ** 3
    if (v <= 0) continue
    const u = 1 - random()
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
  }
}

/** Beta(alpha, beta) as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta). */
export function sampleBeta (alpha: number, beta: number, random: Random): number {
  const x = sampleGamma(alpha, random)
  const y = sampleGamma(beta, random)
  return x / (x + y)
}
