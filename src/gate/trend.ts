import { checkGateOptions } from '../core/gate.js'
import { dayOf, isoDay } from '../core/time.js'
import { armTrend, TREND_DEFAULTS } from '../core/trend.js'
import { ValidationError } from '../errors.js'
import type { ArmDay, ArmDaysQuery } from '../store/index.js'
import type { TrendAnswer, TrendInput } from './types.js'
import { armMatches, checkArmSpecs, checkDays, checkScope, checkTaskTypes } from './inputs.js'

/** `trend`: per arm of a task type, the daily series and its classification (core/trend.ts). */
export function createTrendOperation (o: { armDays: (q: ArmDaysQuery) => ArmDay[], retentionDays: number, now: () => number }): (input: TrendInput) => TrendAnswer {
  const { armDays, retentionDays, now } = o
  return (input) => {
    const taskType = checkTaskTypes('task_type', input.taskType)?.[0]
    if (taskType === undefined) throw new ValidationError('task_type', 'required', 'required, must not be empty')
    const arms = checkArmSpecs('arm', input.arms)
    const scope = checkScope(input.scope)
    const days = checkDays('days', input.days, TREND_DEFAULTS.days, retentionDays)
    const confidence = checkGateOptions({ confidence: input.confidence ?? TREND_DEFAULTS.confidence }).confidence
    const toDay = dayOf(now())
    const fromDay = toDay - days + 1
    const byArm = new Map<string, { tool: string, model: string, series: ReturnType<typeof armDays> }>()
    for (const d of armDays({ scope, taskType, fromDay, toDay })) {
      if (arms !== null && !arms.some(s => armMatches(s, d))) continue
      const key = JSON.stringify([d.tool, d.model])
      const arm = byArm.get(key) ?? { tool: d.tool, model: d.model, series: [] }
      arm.series.push(d)
      byArm.set(key, arm)
    }
    const out = [...byArm.values()].map(({ tool, model, series }) => {
      const t = armTrend(series.map(d => ({ day: d.day, n: d.totals.n, pass: d.totals.pass, hist: d.hist })), confidence)
      return {
        tool,
        model,
        n: series.reduce((s, d) => s + d.totals.n, 0),
        pass: series.reduce((s, d) => s + d.totals.pass, 0),
        classification: t.classification,
        p_value: t.p_value,
        pass_rate: t.pass_rate,
        p50: t.p50,
        points: t.points.map(({ day, ...p }) => ({ date: isoDay(day), ...p }))
      }
    }).sort((a, b) => b.n - a.n || (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0))
    return { task_type: taskType, scope, days, from: isoDay(fromDay), to: isoDay(toDay), confidence, arms: out }
  }
}

export type { TrendAnswer, TrendInput } from './types.js'
