import { performance } from 'node:perf_hooks'

/** Latency percentiles (ms) of `runs` calls of fn, after `warmup` unmeasured calls; `before(i)` runs untimed before each call. */
export function latency (fn: (i: number) => void, runs: number, warmup = Math.min(200, runs), before?: (i: number) => void): { p50: number, p99: number, mean: number } {
  for (let i = 0; i < warmup; i++) fn(i)
  const samples = new Float64Array(runs)
  for (let i = 0; i < runs; i++) {
    before?.(i)
    const t0 = performance.now()
    fn(i)
    samples[i] = performance.now() - t0
  }
  samples.sort()
  const at = (q: number): number => samples[Math.min(runs - 1, Math.floor(q * runs))] ?? Number.NaN // no runs, no figure
  return { p50: at(0.5), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / runs }
}

/** Items per second of one timed run. */
export function throughput (items: number, fn: () => void): number {
  const t0 = performance.now()
  fn()
  return items / ((performance.now() - t0) / 1000)
}

/** Deterministic PRNG (mulberry32) so runs are comparable. */
export { mulberry32 as rng } from '../../src/core/random.js'

export const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
