import type { Command } from 'commander'
import { ValidationError } from '../errors.js'
import { command, namedCommand, numberOrText, printJson, scopeOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'
import { textTable } from './table.js'
import { say } from './terminal.js'

interface CaptureOptions extends DataDirOptions, JsonOption {
  scope?: 'local' | 'hive'
  taskType?: string[]
  windowDays?: number | string
  note?: string
  gitSha?: string
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]
const sub = (name: string, description: string): Command => command(name, description).option('--json', 'machine-readable JSON output').exitOverride()
const when = (iso: unknown): string => typeof iso === 'string' ? iso.replace('T', ' ').slice(0, 16) : '-'

const capture = sub('capture', 'freeze the per-arm counters and latency histograms of a scope and window under NAME (local only, never shared)')
  .argument('<name>', 'baseline name: letters, digits and . _ @ + -')
  .option('--scope <scope>', 'local | hive (default hive)', scopeOption)
  .option('--task-type <type>', 'only this task type (repeatable)', collect)
  .option('--window-days <n>', 'the last N UTC days (default 30)', numberOrText)
  .option('--note <text>', 'free text kept with the baseline')
  .option('--git-sha <sha>', 'the commit the baseline stands for')
  .action(async (name: string, o: CaptureOptions) => {
    const b = await withTracker(o, t => t.captureBaseline({ name, scope: o.scope, taskTypes: o.taskType, windowDays: o.windowDays as number | undefined, note: o.note, gitSha: o.gitSha }))
    if (o.json === true) return printJson(b)
    say(`captured baseline ${String(b.name)}: ${String(b.arms)} arms, ${String(b.scope)} scope, ${String(b.from)} to ${String(b.to)}`)
  })

const list = sub('list', 'the baselines, with the verdict of the last gate judged against each')
  .action(async (o: DataDirOptions & JsonOption) => {
    const all = await withTracker(o, t => t.listBaselines())
    if (o.json === true) return printJson({ baselines: all })
    if (all.length === 0) return say('no baselines (hivebench baseline capture NAME)')
    console.log(textTable(['name', 'captured', 'scope', 'days', 'arms', 'git', 'last gate', 'note'], all.map(b => {
      const gate = b.last_gate as { verdict?: string } | null
      return [String(b.name), when(b.created_at), String(b.scope), `${String(b.from)}..${String(b.to)}`, String(b.arms),
        b.git_sha === null ? '-' : String(b.git_sha), gate === null ? '-' : `${String(gate.verdict)} (${when(b.last_gate_at)})`, b.note === null ? '' : String(b.note)]
    })))
  })

const show = sub('show', 'one baseline and its frozen arms')
  .argument('<name>')
  .action(async (name: string, o: DataDirOptions & JsonOption) => {
    const b = await withTracker(o, t => t.showBaseline(name))
    if (b === null) throw new ValidationError('name', 'unknown', `no baseline named ${name} (see hivebench baseline list)`)
    if (o.json === true) return printJson(b)
    say(`${String(b.name)}: ${String(b.scope)} scope, ${String(b.from)} to ${String(b.to)}, captured ${when(b.created_at)}`)
    console.log(textTable(['task type', 'arm', 'n', 'pass rate', 'p50'], (b.arms as Array<Record<string, unknown>>).map(a => [
      String(a.task_type), `${String(a.tool)}${a.model === '' ? '' : `/${String(a.model)}`}`, String(a.n),
      a.pass_rate === null ? '-' : `${((a.pass_rate as number) * 100).toFixed(1)}%`,
      a.p50_s === null ? '-' : `${(a.p50_s as number).toFixed(2)}s`
    ])))
    say('n: samples frozen in the baseline; p50: median duration (- without durations)')
  })

const remove = sub('delete', 'delete a baseline')
  .argument('<name>')
  .action(async (name: string, o: DataDirOptions & JsonOption) => {
    const deleted = await withTracker(o, t => t.deleteBaseline(name))
    if (!deleted) throw new ValidationError('name', 'unknown', `no baseline named ${name} (see hivebench baseline list)`)
    if (o.json === true) return printJson({ deleted: name })
    console.log(`deleted baseline ${name}`)
  })

export const baselineCommand = namedCommand('baseline')
  .addCommand(capture)
  .addCommand(list)
  .addCommand(show)
  .addCommand(remove)
