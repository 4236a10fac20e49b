import { checkGateOptions, runGate, GATE_DEFAULTS } from '../core/gate.js'
import { DEFAULT_MIN_SAMPLES } from '../core/limits.js'
import { dayOf } from '../core/time.js'
import type { ArmDay, ArmDaysQuery } from '../store/arm-days.js'
import { armId, gateSide, sumArms, type ArmCounts } from './sides.js'
import type { DriftReport } from './types.js'

export const DRIFT_WINDOW_DAYS = 7

/**
 * `drift`: each benchmarked arm's last `windowDays` against the `windowDays` before, in hive
 * scope, through the gate (the daemon runs it daily).
 */
export function createDriftOperation (o: { armDays: (q: ArmDaysQuery) => ArmDay[], now: () => number }): (options?: { windowDays?: number, confidence?: number }) => DriftReport {
  const { armDays, now } = o
  return (opts = {}) => {
    const windowDays = opts.windowDays ?? DRIFT_WINDOW_DAYS
    const nowMs = now()
    const today = dayOf(nowMs)
    const sum = (fromDay: number, toDay: number): Map<string, ArmCounts> => {
      const out = new Map<string, ArmCounts>()
      for (const d of armDays({ scope: 'hive', taskType: null, fromDay, toDay })) {
        const id = armId(d)
        const prev = out.get(id)
        out.set(id, prev === undefined ? { ...d, totals: { ...d.totals } } : sumArms([prev, d], d) as ArmCounts)
      }
      return out
    }
    const previous = sum(today - 2 * windowDays + 1, today - windowDays)
    const current = sum(today - windowDays + 1, today)
    const benchmarked = (a: ArmCounts | undefined): a is ArmCounts => a !== undefined && a.totals.n >= DEFAULT_MIN_SAMPLES
    const pairs = [...current.values()].filter(c => benchmarked(c) && benchmarked(previous.get(armId(c))))
      .map(c => ({ taskType: c.taskType, old: gateSide(previous.get(armId(c)) as ArmCounts), new: gateSide(c) }))
    const result = runGate(pairs, checkGateOptions({ confidence: opts.confidence ?? GATE_DEFAULTS.confidence }))
    return {
      checked_at: new Date(nowMs).toISOString(),
      window_days: windowDays,
      arms_checked: pairs.length,
      regressions: result.rows.filter(r => r.verdict === 'regression').map(r => ({
        task_type: r.task_type, tool: r.new.tool, model: r.new.model, pass_rate_drop: r.pass_rate_drop,
        p50_ratio: r.p50_ratio, p90_ratio: r.p90_ratio, p_value: r.p_value, reason: r.reason
      }))
    }
  }
}

export type { DriftReport } from './types.js'
