import { bucketOf, encodeHist } from '../../src/core/histogram.js'
import { gateExitCode, runGate, withOverallRows, type GateOptions, type GatePair, type GateSide } from '../../src/core/gate.js'
import { mulberry32, type Random } from '../../src/core/random.js'
import { passRateDropP } from '../../src/core/stats/proportions.js'

/**
 * Seeded trials for `npm run eval:gate`: both sides drawn from known distributions, judged by
 * the gate and, on the very same draws, by the rule hivebench replaces (raw means, no test,
 * missing data passes).
 */

export interface ArmModel {
  n: number
  passRate: number
  /** log-normal durations: median seconds and sigma of the log; null = no durations recorded */
  latency: { median: number, sigma: number } | null
}

export interface SimCase {
  name: string
  /** one entry per task type: the old and new arm models */
  taskTypes: Array<{ old: ArmModel, new: ArmModel }>
}

/** A drawn side, with what the old rule reads: raw means. */
interface Drawn { side: GateSide, meanLatency: number | null }

function normal (random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

function draw (m: ArmModel, random: Random): Drawn {
  let pass = 0
  let sum = 0
  const hist = new Map<number, number>()
  for (let i = 0; i < m.n; i++) {
    if (random() < m.passRate) pass++
    if (m.latency !== null) {
      const d = Math.min(7 * 86_400, m.latency.median * Math.exp(m.latency.sigma * normal(random)))
      sum += d
      const k = bucketOf(d)
      hist.set(k, (hist.get(k) ?? 0) + 1)
    }
  }
  return {
    side: { tool: 'tool', model: '', n: m.n, pass, hist: hist.size === 0 ? null : encodeHist(hist) },
    meanLatency: m.latency === null || m.n === 0 ? null : sum / m.n
  }
}

/** The old rule: any metric more than 5% worse by raw means blocks; a missing metric passes. */
export function oldRuleBlocks (old: Drawn, nu: Drawn): boolean {
  if (old.side.n === 0 || nu.side.n === 0) return false
  if (nu.side.pass / nu.side.n < 0.95 * (old.side.pass / old.side.n)) return true
  if (old.meanLatency !== null && nu.meanLatency !== null && nu.meanLatency > 1.05 * old.meanLatency) return true
  return false
}

export interface SimResult {
  trials: number
  regression: number
  insufficient: number
  /** the gate did not pass (exit 3 or 4) */
  blocked: number
  /** per-row tests at 1 - confidence without the Holm correction: a regression in any row */
  regressionWithoutHolm: number
  /**
   * the plain one-sided two-proportion z test (no margin, no correction) on the pass rate: the
   * most a 5%-level test of "did it drop at all" detects, an upper bound for any pass-rate gate
   */
  plainDropTest: number
  oldRule: number
}

export function simulate (c: SimCase, trials: number, seed: number, options: GateOptions): SimResult {
  const random = mulberry32(seed)
  const r: SimResult = { trials, regression: 0, insufficient: 0, blocked: 0, regressionWithoutHolm: 0, plainDropTest: 0, oldRule: 0 }
  const alpha = 1 - options.confidence
  for (let t = 0; t < trials; t++) {
    const pairs: GatePair[] = []
    let oldBlocks = false
    c.taskTypes.forEach((tt, i) => {
      const old = draw(tt.old, random)
      const nu = draw(tt.new, random)
      oldBlocks ||= oldRuleBlocks(old, nu)
      if (old.side.n > 0 && nu.side.n > 0) pairs.push({ taskType: `t${i}`, old: old.side, new: nu.side })
    })
    const gate = runGate(withOverallRows(pairs), options)
    if (gate.verdict === 'regression') r.regression++
    if (gate.verdict === 'insufficient_evidence') r.insufficient++
    if (gateExitCode(gate.verdict, false) !== 0) r.blocked++
    const rawRegression = gate.rows.some(row => row.tests.pass_rate_drop.p < alpha ||
      (row.tests.p50_slowdown?.p ?? 1) < alpha || (row.tests.p90_slowdown?.p ?? 1) < alpha)
    if (rawRegression) r.regressionWithoutHolm++
    if (pairs.some(p => passRateDropP(p.new.pass, p.new.n, p.old.pass, p.old.n, 0) < alpha)) r.plainDropTest++
    if (oldBlocks) r.oldRule++
  }
  return r
}
