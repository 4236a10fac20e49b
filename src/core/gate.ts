import { ValidationError } from '../errors.js'
import { addHistBlobs, quantiles } from './histogram.js'
import { holmAdjust } from './stats/holm.js'
import { passRateDropP, samplesPerSide } from './stats/proportions.js'
import { histCdf, quantileSlowdownTest } from './stats/quantile-test.js'

/**
 * The upgrade gate (pure): compares an old and a new side per task type and arm, and says
 * whether the new side regressed, with family-wise error control over every row and metric.
 * The statistics are named in core/stats/; README "Upgrade gate" explains the choices.
 */

export const GATE_DEFAULTS = {
  /** relative pass-rate drop tolerated (the old rule's 5%) */
  maxDrop: 0.05,
  /** relative p50/p90 slowdown tolerated */
  maxSlowdown: 0.05,
  confidence: 0.95,
  /** the power that samples_needed plans for */
  power: 0.8
} as const

export type Verdict = 'regression' | 'improvement' | 'no_change' | 'insufficient_evidence'

export const OVERALL = 'overall'

export interface GateOptions {
  maxDrop: number
  maxSlowdown: number
  confidence: number
}

/** One side of a comparison: an arm's counters (true totals) and its encoded latency histogram. */
export interface GateSide {
  tool: string
  model: string
  n: number
  pass: number
  hist: Uint8Array | null
}

export interface GatePair {
  taskType: string
  old: GateSide
  new: GateSide
}

/** Checks the gate's thresholds; each bad value is a ValidationError naming the field and rule. */
export function checkGateOptions (o: Partial<GateOptions>): GateOptions {
  const maxDrop = o.maxDrop ?? GATE_DEFAULTS.maxDrop
  const maxSlowdown = o.maxSlowdown ?? GATE_DEFAULTS.maxSlowdown
  const confidence = o.confidence ?? GATE_DEFAULTS.confidence
  if (typeof maxDrop !== 'number' || !Number.isFinite(maxDrop) || maxDrop < 0 || maxDrop >= 1) {
    throw new ValidationError('max_drop', 'range', 'must be a number from 0 to below 1 (a relative pass-rate drop: 0.05 = 5%)')
  }
  if (typeof maxSlowdown !== 'number' || !Number.isFinite(maxSlowdown) || maxSlowdown < 0 || maxSlowdown > 100) {
    throw new ValidationError('max_slowdown', 'range', 'must be a number from 0 to 100 (a relative slowdown: 0.05 = 5%)')
  }
  if (typeof confidence !== 'number' || !(confidence > 0.5 && confidence < 1)) {
    throw new ValidationError('confidence', 'range', 'must be a number strictly between 0.5 and 1 (e.g. 0.95)')
  }
  return { maxDrop, maxSlowdown, confidence }
}

export interface SideJson {
  tool: string
  model: string
  n: number
  pass: number
  pass_rate: number | null
  n_duration: number
  p50_s: number | null
  p90_s: number | null
}

/** A one-sided test as reported: its raw and its Holm-adjusted p-value. */
export interface TestJson { p: number, p_adjusted: number }

export interface GateRow {
  task_type: string
  old: SideJson
  new: SideJson
  verdict: Verdict
  /** 1 - new/old pass rate (relative; negative = it rose); null when the old rate is 0 */
  pass_rate_drop: number | null
  /** Holm-adjusted p-value of the row's strongest regression evidence (small = regressed) */
  p_value: number | null
  /** new / old, per latency quantile; null without durations on both sides */
  p50_ratio: number | null
  p90_ratio: number | null
  reason: string
  tests: {
    /** H1: the pass rate fell by more than max_drop */
    pass_rate_drop: TestJson
    /** H1: the pass rate did not fall by max_drop or more (the drop is ruled out) */
    pass_rate_no_drop: TestJson
    /** H1: the pass rate rose by more than the margin (old < (1 - max_drop) new) */
    pass_rate_gain: TestJson
    /** H1: the quantile is more than (1 + max_slowdown) times the old one; null without durations */
    p50_slowdown: TestJson | null
    p90_slowdown: TestJson | null
    p50_speedup: TestJson | null
    p90_speedup: TestJson | null
  }
  /** insufficient_evidence only: samples per side the row needs, at the stated confidence and 80% power */
  samples_needed: { per_side: number | null, more_per_side: number | null } | null
}

export interface GateResult {
  verdict: Verdict
  rows: GateRow[]
  confidence: number
  max_drop: number
  max_slowdown: number
  multiplicity: string
  reason: string
}

const QUANTILES = [['p50', 0.5], ['p90', 0.9]] as const

function sideJson (s: GateSide): SideJson {
  const [p50, p90] = quantiles(s.hist, [0.5, 0.9])
  const nDuration = histCdf(s.hist).total
  return { tool: s.tool, model: s.model, n: s.n, pass: s.pass, pass_rate: s.n > 0 ? s.pass / s.n : null, n_duration: nDuration, p50_s: p50, p90_s: p90 }
}

/** Per old/new arm pair, one pooled `overall` row over its task types (when there are two or more). */
export function withOverallRows (pairs: GatePair[]): GatePair[] {
  const groups = new Map<string, GatePair[]>()
  for (const p of pairs) {
    const key = JSON.stringify([p.old.tool, p.old.model, p.new.tool, p.new.model])
    groups.set(key, [...(groups.get(key) ?? []), p])
  }
  const pooled: GatePair[] = []
  for (const group of groups.values()) {
    const [first] = group
    if (first === undefined || group.length < 2) continue
    const sum = (side: 'old' | 'new'): GateSide => group.reduce<GateSide>((acc, p) => ({
      tool: acc.tool,
      model: acc.model,
      n: acc.n + p[side].n,
      pass: acc.pass + p[side].pass,
      hist: addHistBlobs(acc.hist === null ? null : Buffer.from(acc.hist), p[side].hist === null ? null : Buffer.from(p[side].hist))
    }), { tool: first[side].tool, model: first[side].model, n: 0, pass: 0, hist: null })
    pooled.push({ taskType: OVERALL, old: sum('old'), new: sum('new') })
  }
  return [...pairs, ...pooled]
}

interface RawTests {
  pair: GatePair
  drop: number
  noDrop: number
  gain: number
  slowdown: Array<number | null>
  speedup: Array<number | null>
}

/**
 * Runs the gate over `pairs` (each with n > 0 on both sides; overall rows already added).
 *
 * Three families, each Holm-adjusted over every row: regressions (pass-rate drop beyond the
 * margin, p50 and p90 slowdowns beyond theirs), "drop ruled out" (the mirror pass-rate test,
 * which is what makes evidence sufficient), and improvements. A row is a regression when a
 * test of the first family rejects at 1 - confidence; else insufficient_evidence when the
 * drop is not ruled out; else an improvement when one of the last family rejects; else no_change.
 */
export function runGate (pairs: GatePair[], options: GateOptions): GateResult {
  const alpha = 1 - options.confidence
  const factor = 1 + options.maxSlowdown
  const raw: RawTests[] = pairs.map(pair => {
    const { old, new: nu } = pair
    const histOld = histCdf(old.hist)
    const histNew = histCdf(nu.hist)
    return {
      pair,
      drop: passRateDropP(nu.pass, nu.n, old.pass, old.n, options.maxDrop),
      noDrop: 1 - passRateDropP(nu.pass, nu.n, old.pass, old.n, options.maxDrop),
      gain: passRateDropP(old.pass, old.n, nu.pass, nu.n, options.maxDrop),
      slowdown: QUANTILES.map(([, q]) => quantileSlowdownTest(histNew, histOld, q, factor)?.p ?? null),
      speedup: QUANTILES.map(([, q]) => quantileSlowdownTest(histOld, histNew, q, factor)?.p ?? null)
    }
  })
  const regressionP = holmAdjust(raw.flatMap(r => [r.drop, ...r.slowdown]))
  const noDropP = holmAdjust(raw.map(r => r.noDrop))
  const gainP = holmAdjust(raw.flatMap(r => [r.gain, ...r.speedup]))
  const perRow = 1 + QUANTILES.length
  const noDropFamily = raw.length

  const rows = raw.map((r, i): GateRow => {
    const { pair } = r
    const reg = regressionP.slice(i * perRow, (i + 1) * perRow)
    const gain = gainP.slice(i * perRow, (i + 1) * perRow)
    const test = (p: number | null, adjusted: number | null): TestJson | null => p === null || adjusted === null ? null : { p, p_adjusted: adjusted }
    const old = sideJson(pair.old)
    const nu = sideJson(pair.new)
    const ratio = (a: number | null, b: number | null): number | null => a === null || b === null ? null : a / b
    const regressed = reg.some(p => p !== null && p < alpha)
    const ruledOut = (noDropP[i] ?? 1) < alpha || (gain[0] ?? 1) < alpha
    const improved = gain.some(p => p !== null && p < alpha)
    const verdict: Verdict = regressed ? 'regression' : !ruledOut ? 'insufficient_evidence' : improved ? 'improvement' : 'no_change'
    const pooledRate = (pair.old.pass + pair.new.pass) / (pair.old.n + pair.new.n)
    // planned at the level Holm's first step would need, so the figure holds for the whole family
    const perSide = samplesPerSide(pooledRate, options.maxDrop, alpha / noDropFamily, GATE_DEFAULTS.power)
    const row: GateRow = {
      task_type: pair.taskType,
      old,
      new: nu,
      verdict,
      pass_rate_drop: old.pass_rate === null || old.pass_rate === 0 || nu.pass_rate === null ? null : 1 - nu.pass_rate / old.pass_rate,
      p_value: Math.min(...reg.filter((p): p is number => p !== null)),
      p50_ratio: ratio(nu.p50_s, old.p50_s),
      p90_ratio: ratio(nu.p90_s, old.p90_s),
      reason: '',
      tests: {
        pass_rate_drop: { p: r.drop, p_adjusted: reg[0] ?? 1 },
        pass_rate_no_drop: { p: r.noDrop, p_adjusted: noDropP[i] ?? 1 },
        pass_rate_gain: { p: r.gain, p_adjusted: gain[0] ?? 1 },
        // a test that could not run (or a p-value not there) is shown as null
        p50_slowdown: test(r.slowdown[0] ?? null, reg[1] ?? null),
        p90_slowdown: test(r.slowdown[1] ?? null, reg[2] ?? null),
        p50_speedup: test(r.speedup[0] ?? null, gain[1] ?? null),
        p90_speedup: test(r.speedup[1] ?? null, gain[2] ?? null)
      },
      samples_needed: verdict !== 'insufficient_evidence'
        ? null
        : Number.isFinite(perSide)
          ? { per_side: perSide, more_per_side: Math.max(0, perSide - Math.min(pair.old.n, pair.new.n)) }
          : { per_side: null, more_per_side: null }
    }
    row.reason = rowReason(row, options)
    return row
  })

  const verdict = overallVerdict(rows)
  return {
    verdict,
    rows,
    confidence: options.confidence,
    max_drop: options.maxDrop,
    max_slowdown: options.maxSlowdown,
    multiplicity: `Holm-Bonferroni over ${regressionP.filter(p => p !== null).length} regression tests (${rows.length} row${rows.length === 1 ? '' : 's'})`,
    reason: gateReason(verdict, rows)
  }
}

function overallVerdict (rows: GateRow[]): Verdict {
  if (rows.length === 0) return 'insufficient_evidence'
  for (const v of ['regression', 'insufficient_evidence', 'improvement'] as const) {
    if (rows.some(r => r.verdict === v)) return v
  }
  return 'no_change'
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
const pFmt = (p: number): string => p < 0.0001 ? '< 0.0001' : p.toFixed(4)

function rowReason (row: GateRow, o: GateOptions): string {
  const rates = `pass rate ${row.old.pass_rate === null ? '-' : pct(row.old.pass_rate)} -> ${row.new.pass_rate === null ? '-' : pct(row.new.pass_rate)} (n ${row.old.n} / ${row.new.n})`
  const alpha = 1 - o.confidence
  const t = row.tests
  switch (row.verdict) {
    case 'regression': {
      const what = [
        t.pass_rate_drop.p_adjusted < alpha ? `a pass-rate drop beyond ${pct(o.maxDrop)}` : null,
        t.p50_slowdown !== null && t.p50_slowdown.p_adjusted < alpha ? `p50 slower than ${pct(1 + o.maxSlowdown)} of old` : null,
        t.p90_slowdown !== null && t.p90_slowdown.p_adjusted < alpha ? `p90 slower than ${pct(1 + o.maxSlowdown)} of old` : null
      ].filter(x => x !== null).join(', ')
      return `${rates}: ${what} (adjusted p = ${pFmt(row.p_value ?? 1)})`
    }
    case 'insufficient_evidence': {
      const more = row.samples_needed?.more_per_side
      return `${rates}: a drop beyond ${pct(o.maxDrop)} is neither shown nor ruled out at ${pct(o.confidence)}` +
        (more === null || more === undefined ? ' (no pass on either side: it cannot be ruled out)' : `; about ${more} more samples per side needed`)
    }
    case 'improvement':
      return `${rates}: better beyond the thresholds`
    case 'no_change':
      return `${rates}: a drop beyond ${pct(o.maxDrop)} is ruled out (adjusted p = ${pFmt(t.pass_rate_no_drop.p_adjusted)})`
  }
}

function gateReason (verdict: Verdict, rows: GateRow[]): string {
  if (rows.length === 0) return 'no task type and arm has data on both sides: nothing could be compared'
  const count = (v: Verdict): number => rows.filter(r => r.verdict === v).length
  return `${rows.length} row${rows.length === 1 ? '' : 's'}: ${count('regression')} regression, ${count('insufficient_evidence')} insufficient evidence, ` +
    `${count('improvement')} improvement, ${count('no_change')} no change -> ${verdict}`
}

/** Exit codes of `hivebench gate`: 0 pass, 4 regression, 3 insufficient evidence (0 when allowed). */
export function gateExitCode (verdict: Verdict, allowInsufficient: boolean): number {
  if (verdict === 'regression') return 4
  if (verdict === 'insufficient_evidence') return allowInsufficient ? 0 : 3
  return 0
}
