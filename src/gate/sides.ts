import { addScalars, diffCounters } from '../core/counters.js'
import { addHistBlobs, decodeHist, encodeHist, quantiles } from '../core/histogram.js'
import { emptyScalars, type ScalarCounters } from '../core/types.js'
import type { GateSide } from '../core/gate.js'
import { ValidationError } from '../errors.js'

/** An arm's totals and histogram, as the store and the baselines hold them. */
export interface ArmCounts {
  taskType: string
  tool: string
  model: string
  totals: ScalarCounters
  hist: Buffer | null
  origins?: number
}

export const armId = (a: { taskType: string, tool: string, model: string }): string => JSON.stringify([a.taskType, a.tool, a.model])

export function gateSide (a: Pick<ArmCounts, 'tool' | 'model' | 'totals' | 'hist'>): GateSide {
  return { tool: a.tool, model: a.model, n: a.totals.n, pass: a.totals.pass, hist: a.hist }
}

/** Sums arms into one (same labels as the first); null for an empty list. */
export function sumArms (arms: ArmCounts[], labels: { tool: string, model: string }): ArmCounts | null {
  const [first] = arms
  if (first === undefined) return null
  let hist: Buffer | null = null
  const totals = emptyScalars()
  for (const a of arms) {
    addScalars(totals, a.totals)
    hist = addHistBlobs(hist, a.hist)
  }
  return { taskType: first.taskType, tool: labels.tool, model: labels.model, totals, hist }
}

/**
 * live - frozen: what was added to an arm since a baseline froze it. Counters only grow (the
 * gate refuses baselines whose days retention may have pruned), so a negative part means the
 * store lost outcomes since the capture and the difference is unknowable.
 */
export function sinceBaseline (live: ArmCounts, frozen: ArmCounts | undefined, baselineName: string): ArmCounts {
  if (frozen === undefined) return live
  const d = diffCounters({ ...live.totals, hist: decodeHist(live.hist) }, { ...frozen.totals, hist: decodeHist(frozen.hist) })
  const negative = Object.values(d).some(v => typeof v === 'number' && v < 0) || [...d.hist.values()].some(v => v < 0)
  if (negative) {
    throw new ValidationError('baseline', 'shrunk', `baseline ${baselineName}: the counters of ${live.tool} on ${live.taskType} are now below the frozen ones ` +
      '(the store lost outcomes since the capture, e.g. restored from an older backup): compare with --candidate-baseline instead')
  }
  const { hist, ...totals } = d
  return { ...live, totals, hist: hist.size === 0 ? null : encodeHist(hist) }
}

/** The JSON of an arm's counts, as baselines show them. */
export function armCountsJson (a: ArmCounts): Record<string, unknown> {
  const [p50, p90] = quantiles(a.hist, [0.5, 0.9])
  const t = a.totals
  return {
    task_type: a.taskType,
    tool: a.tool,
    model: a.model,
    n: t.n,
    pass: t.pass,
    pass_rate: t.n > 0 ? t.pass / t.n : null,
    outcomes: { pass: t.pass, grader_fail: t.grader_fail, timeout: t.timeout, no_tool_calls: t.no_tool_calls, error: t.error },
    n_duration: t.nDuration,
    p50_s: p50,
    p90_s: p90,
    mean_cost_usd: t.nCost > 0 ? t.sumCostMicros / t.nCost / 1_000_000 : null,
    origins: a.origins ?? null
  }
}
