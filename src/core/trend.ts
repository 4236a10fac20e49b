import { quantiles } from './histogram.js'
import { holmAdjust } from './stats/holm.js'
import { normalQuantile } from './stats/normal.js'
import { cochranArmitage, mannKendall } from './stats/trend.js'
import { wilsonInterval } from './wilson.js'

/**
 * Trend of one arm over its daily counters (pure). The pass rate is tested with the
 * Cochran–Armitage trend test (day number as the score), the daily median duration with the
 * Mann–Kendall test; the two p-values are Holm-adjusted together, so the arm's classification
 * keeps the stated confidence. A significant fall in pass rate or rise in p50 is `declining`
 * (it wins when the two disagree: the alarm is the safe side); a significant rise in pass rate
 * or fall in p50 `improving`; else `stable`. `insufficient_evidence` when neither test can run:
 * fewer than MIN_TREND_DAYS days with outcomes, or under MIN_TREND_SAMPLES outcomes in all.
 */

export type TrendClass = 'improving' | 'declining' | 'stable' | 'insufficient_evidence'

export const TREND_DEFAULTS = { days: 30, confidence: 0.95 } as const
export const MIN_TREND_DAYS = 3
export const MIN_TREND_SAMPLES = 10

export interface DayCounts { day: number, n: number, pass: number, hist: Uint8Array | null }

export interface TrendPoint {
  day: number
  n: number
  pass: number
  pass_rate: number
  wilson_lower: number
  wilson_upper: number
  p50_s: number | null
}

export interface TrendTestJson { test: string, z: number, p: number, p_adjusted: number, direction: 'rising' | 'falling' | 'flat' }

export interface ArmTrend {
  classification: TrendClass
  /** the adjusted p-value behind the classification (the smaller of the two); null when no test ran */
  p_value: number | null
  pass_rate: TrendTestJson | null
  p50: TrendTestJson | null
  points: TrendPoint[]
}

export function armTrend (days: DayCounts[], confidence: number): ArmTrend {
  const z = normalQuantile(1 - (1 - confidence) / 2)
  const used = [...days].filter(d => d.n > 0).sort((a, b) => a.day - b.day)
  const points = used.map((d): TrendPoint => {
    const w = wilsonInterval(d.pass, d.n, z)
    return { day: d.day, n: d.n, pass: d.pass, pass_rate: d.pass / d.n, wilson_lower: w.lower, wilson_upper: w.upper, p50_s: quantiles(d.hist, [0.5])[0] }
  })
  const total = used.reduce((s, d) => s + d.n, 0)
  if (used.length < MIN_TREND_DAYS || total < MIN_TREND_SAMPLES) {
    return { classification: 'insufficient_evidence', p_value: null, pass_rate: null, p50: null, points }
  }
  const ca = cochranArmitage(used.map(d => ({ score: d.day, pass: d.pass, n: d.n })))
  const medians = points.filter(p => p.p50_s !== null).map(p => p.p50_s as number)
  const mk = mannKendall(medians)
  const [caAdj, mkAdj] = holmAdjust([ca?.p ?? null, mk?.p ?? null])
  const alpha = 1 - confidence
  const json = (name: string, t: { z: number, p: number } | null, adjusted: number | null): TrendTestJson | null =>
    t === null || adjusted === null ? null : { test: name, z: t.z, p: t.p, p_adjusted: adjusted, direction: adjusted < alpha ? (t.z > 0 ? 'rising' : 'falling') : 'flat' }
  const passRate = json('Cochran-Armitage', ca, caAdj)
  const p50 = json('Mann-Kendall', mk, mkAdj)
  const worse = passRate?.direction === 'falling' || p50?.direction === 'rising'
  const better = passRate?.direction === 'rising' || p50?.direction === 'falling'
  const adjusted = [caAdj, mkAdj].filter((p): p is number => p !== null)
  // An all-pass (or all-fail) series has no Cochran–Armitage variance: flat, and it is evidence.
  const classification: TrendClass = worse ? 'declining' : better ? 'improving' : 'stable'
  return { classification, p_value: adjusted.length === 0 ? null : Math.min(...adjusted), pass_rate: passRate, p50, points }
}

const SPARKS = '▁▂▃▄▅▆▇█'

/** A sparkline of values in [0, 1] (null: a day without data, drawn as a space). */
export function sparkline (values: Array<number | null>): string {
  return values.map(v => v === null ? ' ' : SPARKS[Math.min(SPARKS.length - 1, Math.max(0, Math.floor(v * SPARKS.length)))]).join('')
}
