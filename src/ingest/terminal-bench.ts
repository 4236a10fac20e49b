import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { dayOf } from '../core/time.js'
import type { OutcomeClass } from '../core/types.js'
import { HivebenchError } from '../errors.js'
import { parseJson, type ImportRows } from './import-rows.js'

export interface TerminalBenchOptions {
  /** override (older runs) or supply (newer runs) the agent and model names */
  tool?: string
  model?: string
  /** a trial field whose value is the task type, instead of the task id without its difficulty suffix */
  taskTypeFrom?: string
  /** date each outcome by its trial's start instead of the import time */
  keepTimes?: boolean
  nowMs: number
  retentionDays: number
}

/** `.easy`, `.medium`, `.hard`, `.base`, `.base_with_hint`: variants of one task, one task type. */
const DIFFICULTY_SUFFIX = /\.(easy|medium|hard|base|base_with_hint)$/

/** Terminal-Bench failure modes, as the outcome classes of the data model. */
export function terminalBenchOutcome (resolved: unknown, failureMode: unknown): OutcomeClass {
  if (resolved === true) return 'pass'
  if (failureMode === 'agent_timeout' || failureMode === 'test_timeout') return 'timeout'
  if (failureMode === 'parse_error') return 'no_tool_calls'
  if (failureMode === 'unset' || failureMode === undefined || failureMode === null) return 'grader_fail'
  return 'error'
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * A Terminal-Bench run directory: `results.json` (`results`: one object per trial) and, in
 * older runs, `run_metadata.json` beside it (agent_name, model_name, run_id; trials carry a
 * `uuid`). Newer runs carry an `id` per trial and at the top of results.json, and no metadata:
 * then --tool and --model name the arm. The id of each outcome is its trial's uuid or id (else
 * the run's id and the trial name), so importing a run again counts nothing twice.
 */
export function readTerminalBenchRun (dir: string, o: TerminalBenchOptions): ImportRows {
  const resultsFile = join(dir, 'results.json')
  if (!existsSync(resultsFile)) throw new HivebenchError('FILE', `${dir}: no results.json (is it a Terminal-Bench run directory?)`)
  const results = parseJson(readFileSync(resultsFile, 'utf8'), resultsFile)
  if (!isObject(results) || !Array.isArray(results.results)) throw new HivebenchError('FILE', `${resultsFile}: results: required, must be an array of trials`)
  const metadataFile = join(dir, 'run_metadata.json')
  const metadata = existsSync(metadataFile) ? parseJson(readFileSync(metadataFile, 'utf8'), metadataFile) : {}
  if (!isObject(metadata)) throw new HivebenchError('FILE', `${metadataFile}: must be a JSON object`)

  const named = (given: string | undefined, key: string, option: string): string => {
    const value = given ?? metadata[key]
    if (typeof value === 'string' && value.trim() !== '') return value
    throw new HivebenchError('USAGE', `${dir}: ${existsSync(metadataFile) ? `run_metadata.json has no ${key}` : 'no run_metadata.json (a newer Terminal-Bench run)'}: give ${option}`)
  }
  const tool = named(o.tool, 'agent_name', '--tool')
  const model = named(o.model, 'model_name', '--model')
  const runId = metadata.run_id ?? results.id

  let skipped = 0
  const rows: ImportRows['rows'] = []
  results.results.forEach((trial, i) => {
    const fail = (field: string, detail: string): never => { throw new HivebenchError('FILE', `${resultsFile}: results[${i}].${field}: ${detail}`) }
    if (!isObject(trial)) return fail('(trial)', 'must be an object')
    const taskId = trial.task_id
    if (typeof taskId !== 'string' || taskId === '') return fail('task_id', 'required, must be a non-empty string')
    let taskType = taskId.replace(DIFFICULTY_SUFFIX, '')
    if (o.taskTypeFrom !== undefined) {
      const v = trial[o.taskTypeFrom]
      if (typeof v !== 'string' || v.trim() === '') return fail(o.taskTypeFrom, 'required by --task-type-from, must be a non-empty string')
      taskType = v
    }
    const trialId = trial.uuid ?? trial.id
    const id = typeof trialId === 'string' && trialId !== ''
      ? trialId
      : typeof runId === 'string' && typeof trial.trial_name === 'string' ? `${runId}:${trial.trial_name}` : fail('uuid', 'no uuid or id, and no run id with a trial_name to make one')
    const started = time(trial.trial_started_at, 'trial_started_at', fail)
    const ended = time(trial.trial_ended_at, 'trial_ended_at', fail)
    const input: Record<string, unknown> = {
      task_type: taskType,
      tool,
      model,
      outcome: terminalBenchOutcome(trial.is_resolved, trial.failure_mode),
      id
    }
    if (started !== null && ended !== null && ended > started) input.duration_s = (ended - started) / 1000
    if (o.keepTimes === true) {
      if (started === null) return fail('trial_started_at', 'required by --keep-times')
      if (dayOf(started) <= dayOf(o.nowMs) - o.retentionDays) { skipped++; return }
      input.at = new Date(started).toISOString()
    }
    rows.push({ line: i + 1, input })
  })
  return { rows, unit: 'row', ignored: [], skipped, ids: 'ids from the trials' }
}

function time (value: unknown, field: string, fail: (field: string, detail: string) => never): number | null {
  if (value === undefined || value === null) return null
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
  return Number.isFinite(ms) ? ms : fail(field, 'must be an ISO 8601 timestamp')
}
