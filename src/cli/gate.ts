import type { GateRow } from '../core/gate.js'
import type { GateAnswer } from '../gate/service.js'
import { textTable } from './table.js'
import { say } from './terminal.js'
import { numberOrText, printJson, queryCommand, scopeOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface GateCliOptions extends DataDirOptions, JsonOption {
  baseline?: string
  candidate?: string
  candidateBaseline?: string
  old?: string
  new?: string
  arm?: string[]
  taskType?: string[]
  maxDrop?: number | string
  maxSlowdown?: number | string
  confidence?: number | string
  allowInsufficient?: boolean
  scope?: 'local' | 'hive'
  windowDays?: number | string
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]
const percent = (x: number | null): string => x === null ? '-' : `${(x * 100).toFixed(1)}%`
const seconds = (x: number | null): string => x === null ? '-' : x < 10 ? `${x.toFixed(2)}s` : `${x.toFixed(0)}s`
const arm = (s: { tool: string, model: string }): string => s.model === '' ? s.tool : `${s.tool}/${s.model}`
const pValue = (p: number | null): string => p === null ? '-' : p < 0.0001 ? '<0.0001' : p.toFixed(4)

/** What the gate table's abbreviations mean: printed once under it. */
const GATE_LEGEND = 'n old/new: samples on each side; drop: relative pass-rate drop (1 - new/old, negative = it rose); ' +
  'adj. p: Holm-adjusted p-value of the row\'s strongest regression evidence (small = regressed); ' +
  'more samples/side: insufficient rows only, samples each side still needs (at the confidence, 80% power)'

function gateTable (rows: GateRow[]): string {
  return textTable(['task type', 'old', 'new', 'n old/new', 'pass rate', 'drop', 'p50', 'p90', 'verdict', 'adj. p', 'more samples/side'], rows.map(r => [
    r.task_type, arm(r.old), arm(r.new), `${r.old.n}/${r.new.n}`,
    `${percent(r.old.pass_rate)} -> ${percent(r.new.pass_rate)}`,
    percent(r.pass_rate_drop),
    `${seconds(r.old.p50_s)} -> ${seconds(r.new.p50_s)}`,
    `${seconds(r.old.p90_s)} -> ${seconds(r.new.p90_s)}`,
    r.verdict, pValue(r.p_value),
    r.samples_needed === null ? '' : r.samples_needed.more_per_side === null ? 'unknowable' : String(r.samples_needed.more_per_side)
  ]))
}

export const gateCommand = queryCommand('gate')
  .option('--baseline <name>', 'compare against this baseline')
  .option('--candidate <which>', 'current (default): the outcomes recorded since the baseline was captured')
  .option('--candidate-baseline <name>', 'compare against another baseline instead')
  .option('--old <arm>', 'live comparison: the old arm, TOOL or TOOL/MODEL (e.g. aider@0.85)')
  .option('--new <arm>', 'live comparison: the new arm (e.g. aider@0.86)')
  .option('--arm <arm>', 'only this arm, TOOL or TOOL/MODEL (repeatable)', collect)
  .option('--task-type <type>', 'only this task type (repeatable; default: every task type both sides have, plus an overall row)', collect)
  .option('--max-drop <x>', 'relative pass-rate drop tolerated (default 0.05)', numberOrText)
  .option('--max-slowdown <x>', 'relative p50/p90 slowdown tolerated (default 0.05)', numberOrText)
  .option('--confidence <x>', 'one-sided confidence, strictly between 0.5 and 1 (default 0.95)', numberOrText)
  .option('--allow-insufficient', 'exit 0 instead of 3 when the evidence is insufficient')
  .option('--scope <scope>', 'live comparison: local | hive (default hive)', scopeOption)
  .option('--window-days <n>', 'live comparison: the last N UTC days (default 30)', numberOrText)
  .action(async (o: GateCliOptions) => {
    const answer: GateAnswer = await withTracker(o, t => t.gate({
      baseline: o.baseline,
      candidate: o.candidate as 'current' | undefined,
      candidateBaseline: o.candidateBaseline,
      old: o.old,
      new: o.new,
      arms: o.arm,
      taskTypes: o.taskType,
      maxDrop: o.maxDrop as number | undefined,
      maxSlowdown: o.maxSlowdown as number | undefined,
      confidence: o.confidence as number | undefined,
      allowInsufficient: o.allowInsufficient,
      scope: o.scope,
      windowDays: o.windowDays as number | undefined
    }))
    if (o.json === true) printJson(answer)
    else {
      if (answer.rows.length > 0) {
        console.log(gateTable(answer.rows))
        say(GATE_LEGEND)
      }
      for (const r of answer.rows.filter(r => r.verdict !== 'no_change')) say(`${r.task_type} ${arm(r.new)}: ${r.reason}`)
      if (answer.not_compared.length > 0) {
        say(`not compared (no outcomes on one side): ${answer.not_compared.map(x => `${x.task_type} ${arm(x)} (no ${x.missing})`).join(', ')}`)
      }
      say(`gate: ${answer.verdict} (exit ${answer.exit_code}); ${answer.reason}; confidence ${answer.confidence}, max drop ${answer.max_drop}, max slowdown ${answer.max_slowdown}; ${answer.multiplicity}`)
    }
    process.exitCode = answer.exit_code
  })
