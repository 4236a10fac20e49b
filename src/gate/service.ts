import { checkGateOptions, gateExitCode, runGate, withOverallRows, type GatePair, type GateResult } from '../core/gate.js'
import { DEFAULT_WINDOW_DAYS } from '../core/limits.js'
import { dayOf, isoDay } from '../core/time.js'
import { ValidationError } from '../errors.js'
import type { ArmAggregate, Scope } from '../store/arm-queries.js'
import { createArmDays } from '../store/arm-days.js'
import { createBaselineTable, type Baseline, type BaselineMeta } from '../store/baselines.js'
import type { Store } from '../store/store.js'
import { armLabel, armMatches, checkArmSpecs, checkBaselineName, checkDays, checkScope, checkTaskTypes, checkText, parseArmSpec, type ArmSpec } from './inputs.js'
import { createDriftOperation } from './drift.js'
import { armCountsJson, armId, gateSide, sinceBaseline, sumArms, type ArmCounts } from './sides.js'
import { createTrendOperation } from './trend.js'
import type { CaptureInput, GateAnswer, GateInput, GateOperations, NotCompared } from './types.js'

export type { CaptureInput, DriftReport, GateAnswer, GateInput, GateOperations, NotCompared, TrendAnswer, TrendInput } from './types.js'


const MAX_NOTE_CHARS = 1000

function metaJson (b: BaselineMeta): Record<string, unknown> {
  return {
    name: b.name,
    created_at: new Date(b.createdMs).toISOString(),
    scope: b.scope,
    window_days: b.windowDays,
    from: isoDay(b.startDay),
    to: isoDay(b.endDay),
    task_types: b.taskTypes,
    note: b.note,
    git_sha: b.gitSha,
    last_gate: b.lastGate,
    last_gate_at: b.lastGateMs === null ? null : new Date(b.lastGateMs).toISOString()
  }
}

const keep = (taskTypes: string[] | null, arms: ArmSpec[] | null) => (a: ArmCounts): boolean =>
  (taskTypes === null || taskTypes.includes(a.taskType)) && (arms === null || arms.some(s => armMatches(s, a)))

export function createGateOperations (options: { store: Store, now: () => number }): GateOperations {
  const { store, now } = options
  const table = createBaselineTable(store.db)
  const armDays = createArmDays(store.db)
  const liveArms = (scope: Scope, windowDays: number, nowMs: number): ArmAggregate[] =>
    store.arms({ scope, taskType: null, windowDays, nowMs })
  const requireBaseline = (field: string, name: unknown): Baseline => {
    const b = table.get(checkBaselineName(field, name))
    if (b === null) throw new ValidationError(field, 'unknown', `no baseline named ${String(name)} (see hivebench baseline list)`)
    return b
  }

  /** Pairs of the baseline mode: every task type and arm present on both sides; the others are listed. */
  const baselinePairs = (old: ArmCounts[], candidate: ArmCounts[]): { pairs: GatePair[], notCompared: NotCompared[] } => {
    const withData = (arms: ArmCounts[]): Map<string, ArmCounts> => new Map(arms.filter(a => a.totals.n > 0).map(a => [armId(a), a]))
    const olds = withData(old)
    const news = withData(candidate)
    const pairs = [...news].flatMap(([id, c]) => {
      const o = olds.get(id)
      return o === undefined ? [] : [{ taskType: c.taskType, old: gateSide(o), new: gateSide(c) }]
    }).sort((a, b) => a.taskType < b.taskType ? -1 : a.taskType > b.taskType ? 1 : 0)
    const lacking = (have: Map<string, ArmCounts>, other: Map<string, ArmCounts>, missing: 'old' | 'new'): NotCompared[] =>
      [...have].filter(([id]) => !other.has(id)).map(([, a]) => ({ task_type: a.taskType, tool: a.tool, model: a.model, missing }))
    return { pairs, notCompared: [...lacking(olds, news, 'new'), ...lacking(news, olds, 'old')] }
  }

  /** Pairs of the live mode: per task type, the arms matching each spec summed; task types with one side only are listed. */
  const armPairs = (arms: ArmCounts[], oldSpec: ArmSpec, newSpec: ArmSpec): { pairs: GatePair[], notCompared: NotCompared[] } => {
    const taskTypes = [...new Set(arms.map(a => a.taskType))].sort()
    const label = (s: ArmSpec): { tool: string, model: string } => ({ tool: s.tool, model: s.model ?? '*' })
    const pairs: GatePair[] = []
    const notCompared: NotCompared[] = []
    for (const t of taskTypes) {
      const of = (s: ArmSpec): ArmCounts | null => sumArms(arms.filter(a => a.taskType === t && armMatches(s, a) && a.totals.n > 0), label(s))
      const o = of(oldSpec)
      const n = of(newSpec)
      if (o !== null && n !== null) pairs.push({ taskType: t, old: gateSide(o), new: gateSide(n) })
      else if (o !== null) notCompared.push({ task_type: t, ...label(oldSpec), missing: 'new' })
      else if (n !== null) notCompared.push({ task_type: t, ...label(newSpec), missing: 'old' })
    }
    return { pairs, notCompared }
  }

  return {
    trend: createTrendOperation({ armDays, retentionDays: store.retentionDays, now }),
    drift: createDriftOperation({ armDays, now }),
    captureBaseline (input) {
      const name = checkBaselineName('name', input.name)
      const scope = checkScope(input.scope)
      const taskTypes = checkTaskTypes('task_type', input.taskTypes)
      const windowDays = checkDays('window_days', input.windowDays, DEFAULT_WINDOW_DAYS, store.retentionDays)
      const note = checkText('note', input.note, MAX_NOTE_CHARS)
      const gitSha = checkText('git_sha', input.gitSha, 128)
      const nowMs = now()
      const arms = liveArms(scope, windowDays, nowMs).filter(keep(taskTypes, null))
      if (arms.length === 0) throw new ValidationError('task_type', 'empty', `nothing to freeze: no outcomes in ${scope} scope over the last ${windowDays} days${taskTypes === null ? '' : ` for ${taskTypes.join(', ')}`}`)
      const endDay = dayOf(nowMs)
      const baseline: Baseline = { name, createdMs: nowMs, scope, windowDays, startDay: endDay - windowDays + 1, endDay, taskTypes, note, gitSha, lastGate: null, lastGateMs: null, arms }
      if (!table.insert(baseline)) throw new ValidationError('name', 'exists', `a baseline named ${name} exists (delete it first: hivebench baseline delete ${name})`)
      return { ...metaJson(baseline), arms: arms.length }
    },
    listBaselines: () => table.list().map(b => ({ ...metaJson(b), arms: b.arms })),
    showBaseline (name) {
      const b = table.get(checkBaselineName('name', name))
      return b === null ? null : { ...metaJson(b), arms: b.arms.map(armCountsJson) }
    },
    deleteBaseline: (name) => table.delete(checkBaselineName('name', name)),

    gate (input) {
      const o = checkGateOptions(input)
      const arms = checkArmSpecs('arm', input.arms)
      const taskTypes = checkTaskTypes('task_type', input.taskTypes)
      const nowMs = now()
      const liveMode = input.old !== undefined || input.new !== undefined
      if (liveMode === (input.baseline !== undefined)) {
        throw new ValidationError('baseline', 'required', 'give --baseline NAME, or --old ARM and --new ARM (not both)')
      }
      let compared: { pairs: GatePair[], notCompared: NotCompared[] }
      let oldJson: Record<string, unknown>
      let newJson: Record<string, unknown>
      let baseline: Baseline | null = null
      if (liveMode) {
        const oldSpec = parseArmSpec('old', input.old)
        const newSpec = parseArmSpec('new', input.new)
        if (input.candidateBaseline !== undefined || input.candidate !== undefined) throw new ValidationError('candidate', 'conflict', 'a candidate is only for --baseline (--new names it here)')
        if (arms !== null) throw new ValidationError('arm', 'conflict', '--arm filters a baseline comparison; here --old and --new name the arms')
        const scope = checkScope(input.scope)
        const windowDays = checkDays('window_days', input.windowDays, DEFAULT_WINDOW_DAYS, store.retentionDays)
        const live = liveArms(scope, windowDays, nowMs).filter(keep(taskTypes, null))
        const shared = live.find(a => armMatches(oldSpec, a) && armMatches(newSpec, a))
        if (shared !== undefined || (oldSpec.tool === newSpec.tool && oldSpec.model === newSpec.model)) {
          throw new ValidationError('new', 'overlap', `--old and --new must name different arms (${armLabel(shared ?? newSpec)} matches both)`)
        }
        compared = armPairs(live, oldSpec, newSpec)
        oldJson = { kind: 'arm', arm: armLabel(oldSpec), scope, window_days: windowDays }
        newJson = { kind: 'arm', arm: armLabel(newSpec), scope, window_days: windowDays }
      } else {
        baseline = requireBaseline('baseline', input.baseline)
        if (input.candidate !== undefined && input.candidate !== 'current') throw new ValidationError('candidate', 'enum', 'must be current (or use --candidate-baseline NAME)')
        if (input.candidate !== undefined && input.candidateBaseline !== undefined) throw new ValidationError('candidate', 'conflict', 'give --candidate current or --candidate-baseline NAME, not both')
        if (input.scope !== undefined || input.windowDays !== undefined) throw new ValidationError('scope', 'conflict', 'a baseline fixes the scope and window: --scope and --window-days are for --old/--new')
        const old = baseline.arms.filter(keep(taskTypes, arms))
        let candidate: ArmCounts[]
        if (input.candidateBaseline !== undefined) {
          const other = requireBaseline('candidate_baseline', input.candidateBaseline)
          candidate = other.arms.filter(keep(taskTypes, arms))
          newJson = { kind: 'baseline', name: other.name, scope: other.scope, from: isoDay(other.startDay), to: isoDay(other.endDay) }
        } else {
          // The outcomes added since the capture (in the baseline's scope, on its days and after):
          // independent of the frozen ones, as the tests assume.
          const windowDays = dayOf(nowMs) - baseline.startDay + 1
          if (dayOf(nowMs) < baseline.endDay) {
            throw new ValidationError('baseline', 'clock', `baseline ${baseline.name} was captured on ${isoDay(baseline.endDay)}, after today (${isoDay(dayOf(nowMs))}): the clock moved back; fix it, or compare with --candidate-baseline`)
          }
          if (windowDays > store.retentionDays) {
            throw new ValidationError('baseline', 'pruned', `baseline ${baseline.name} starts before the retention window (${store.retentionDays} days): compare with --candidate-baseline instead`)
          }
          const frozen = new Map(old.map(a => [armId(a), a]))
          const b = baseline
          candidate = liveArms(b.scope, windowDays, nowMs).filter(keep(taskTypes, arms)).map(a => sinceBaseline(a, frozen.get(armId(a)), b.name))
          newJson = { kind: 'current', since: baseline.name, scope: baseline.scope, from: isoDay(baseline.startDay), to: isoDay(dayOf(nowMs)) }
        }
        compared = baselinePairs(old, candidate)
        oldJson = { kind: 'baseline', name: baseline.name, scope: baseline.scope, from: isoDay(baseline.startDay), to: isoDay(baseline.endDay) }
      }
      const result = runGate(withOverallRows(compared.pairs), o)
      const answer: GateAnswer = {
        verdict: result.verdict,
        exit_code: gateExitCode(result.verdict, input.allowInsufficient === true),
        rows: result.rows,
        reason: result.reason,
        not_compared: compared.notCompared,
        old: oldJson,
        new: newJson,
        confidence: result.confidence,
        max_drop: result.max_drop,
        max_slowdown: result.max_slowdown,
        multiplicity: result.multiplicity,
        gated_at: new Date(nowMs).toISOString()
      }
      if (baseline !== null) table.setLastGate(baseline.name, answer, nowMs)
      return answer
    }
  }
}
