import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import type { OutcomeClass } from '../core/types.js'
import { HivebenchError } from '../errors.js'
import { parseJson, type ImportRows } from './import-rows.js'

export interface SweBenchOptions {
  /** the agent (scaffold) that produced the patches: reports do not name it */
  tool?: string
  model?: string
  /** the evaluation run; default: from the path (logs/run_evaluation/<run>/<model>/<instance>/report.json) or the summary file's name */
  runId?: string
}

/** `django__django-11099` -> `django/django`: the repository is the task type. */
export function repositoryOf (instanceId: string): string | null {
  const m = /^(.+?)__(.+)-\d+$/.exec(instanceId)
  return m === null ? null : `${m[1]}/${m[2]}`
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The run-level summary's id lists, in the order a listed instance is classified. */
const SUMMARY_LISTS: Array<[string, OutcomeClass]> = [
  ['resolved_ids', 'pass'],
  ['unresolved_ids', 'grader_fail'],
  ['empty_patch_ids', 'no_tool_calls'],
  ['error_ids', 'error']
]

/**
 * SWE-bench evaluation results: the run-level summary (`resolved_ids`, `unresolved_ids`,
 * `empty_patch_ids`, `error_ids`), one instance's `report.json` (`{instance_id: {resolved, ...}}`),
 * or a directory holding report.json files (the harness's logs/run_evaluation tree). Task type =
 * the repository; id = run + instance, so importing a run again counts nothing twice.
 */
export function readSweBench (path: string, o: SweBenchOptions): ImportRows {
  if (o.tool === undefined || o.tool.trim() === '') throw new HivebenchError('USAGE', `${path}: SWE-bench reports do not name the agent: give --tool (e.g. --tool swe-agent)`)
  const files = statSync(path).isDirectory() ? reportFiles(path) : [path]
  if (files.length === 0) throw new HivebenchError('FILE', `${path}: no report.json under it (is it a SWE-bench logs/run_evaluation directory?)`)
  const rows: ImportRows['rows'] = []
  const seen = new Set<string>()
  for (const file of files) {
    const doc = parseJson(readFileSync(file, 'utf8'), file)
    if (!isObject(doc)) throw new HivebenchError('FILE', `${file}: must be a JSON object`)
    // a path logs/run_evaluation/<run>/<model>/<instance>/report.json names the run and the model
    const parts = relative(path, file).split(sep)
    const fromPath = parts.length >= 4 ? { run: parts[parts.length - 4], model: parts[parts.length - 3] } : null
    const isSummary = SUMMARY_LISTS.some(([key]) => Array.isArray(doc[key]))
    const named = isSummary ? summaryName(file) : null
    const runId = o.runId ?? fromPath?.run ?? named?.run ?? basename(file, '.json')
    const model = o.model ?? unslash(fromPath?.model ?? named?.model)
    const add = (instanceId: unknown, outcome: OutcomeClass, where: string): void => {
      if (typeof instanceId !== 'string') throw new HivebenchError('FILE', `${file}: ${where}: must be an instance id string`)
      const taskType = repositoryOf(instanceId)
      if (taskType === null) throw new HivebenchError('FILE', `${file}: ${where}: "${instanceId}" is not an instance id (owner__repo-number)`)
      const id = `swe-bench:${runId}:${instanceId}`
      if (seen.has(id)) return // an instance in two lists of one summary (older harness versions): its first class
      seen.add(id)
      rows.push({ line: rows.length + 1, input: { task_type: taskType, tool: o.tool, model, outcome, id } })
    }
    if (isSummary) {
      for (const [key, outcome] of SUMMARY_LISTS) {
        const list = doc[key] ?? []
        if (!Array.isArray(list)) throw new HivebenchError('FILE', `${file}: ${key}: must be an array`)
        list.forEach((instanceId, i) => { add(instanceId, outcome, `${key}[${i}]`) })
      }
      continue
    }
    for (const [instanceId, report] of Object.entries(doc)) {
      if (!isObject(report) || typeof report.resolved !== 'boolean') throw new HivebenchError('FILE', `${file}: ${instanceId}.resolved: required, must be true or false`)
      const noPatch = report.patch_is_None === true || report.patch_exists === false
      add(instanceId, report.resolved ? 'pass' : noPatch ? 'no_tool_calls' : 'grader_fail', instanceId)
    }
  }
  return { rows, unit: 'row', ignored: [], skipped: 0, ids: 'ids from run and instance' }
}

/** The harness names its summary `<model>.<run id>.json` (model names may hold dots, run ids rarely do). */
function summaryName (file: string): { model: string, run: string } | null {
  const name = basename(file, '.json')
  const dot = name.lastIndexOf('.')
  return dot > 0 ? { model: name.slice(0, dot), run: name.slice(dot + 1) } : null
}

/** The harness writes a model's `/` as `__` in file and directory names. */
const unslash = (model: string | undefined): string | undefined => model?.replaceAll('__', '/')

function reportFiles (dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...reportFiles(full))
    else if (entry.name === 'report.json') out.push(full)
  }
  return out
}
