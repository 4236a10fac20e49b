import { DAY_MS } from '../core/time.js'
import { sparkline } from '../core/trend.js'
import { textTable } from './table.js'
import { say } from './terminal.js'
import { numberOrText, printJson, queryCommand, scopeOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface TrendCliOptions extends DataDirOptions, JsonOption {
  arm?: string[]
  days?: number | string
  scope?: 'local' | 'hive'
  confidence?: number | string
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** What the trend table's columns mean: printed once under it. */
const TREND_LEGEND = 'pass rate per day: one bar per UTC day, oldest first, blank = no outcomes; p50 per day: median duration, taller = slower; ' +
  'trend: improving, declining, stable or insufficient_evidence; p: Holm-adjusted p-value behind the trend (Cochran-Armitage on pass rate, Mann-Kendall on p50)'

export const trendCommand = queryCommand('trend')
  .argument('<task_type>', 'task type, e.g. bug_fix')
  .option('--arm <arm>', 'only this arm, TOOL or TOOL/MODEL (repeatable)', collect)
  .option('--days <n>', 'the last N UTC days (default 30)', numberOrText)
  .option('--scope <scope>', 'local | hive (default hive)', scopeOption)
  .option('--confidence <x>', 'strictly between 0.5 and 1 (default 0.95)', numberOrText)
  .action(async (taskType: string, o: TrendCliOptions) => {
    const r = await withTracker(o, t => t.trend({ taskType, arms: o.arm, days: o.days as number | undefined, scope: o.scope, confidence: o.confidence as number | undefined }))
    if (o.json === true) return printJson(r)
    say(`${r.task_type}: ${r.from} to ${r.to} (${r.scope} scope)`)
    if (r.arms.length === 0) return say('no outcomes in this window')
    const first = Date.parse(r.from)
    const rows = r.arms.map(a => {
      const rates: Array<number | null> = new Array(r.days).fill(null)
      const p50s: Array<number | null> = new Array(r.days).fill(null)
      for (const p of a.points) {
        const i = Math.round((Date.parse(p.date) - first) / DAY_MS)
        rates[i] = p.pass_rate
        p50s[i] = p.p50_s
      }
      const known = p50s.filter((x): x is number => x !== null)
      const [lo, hi] = [Math.min(...known), Math.max(...known)]
      const scaled = p50s.map(x => x === null ? null : hi > lo ? (x - lo) / (hi - lo) * 0.999 : 0.5)
      return [
        a.model === '' ? a.tool : `${a.tool}/${a.model}`, String(a.n), `${(100 * a.pass / a.n).toFixed(1)}%`,
        sparkline(rates), known.length === 0 ? ' '.repeat(r.days) : sparkline(scaled),
        a.classification, a.p_value === null ? '-' : a.p_value < 0.0001 ? '<0.0001' : a.p_value.toFixed(4)
      ]
    })
    // the sparklines end on the latest day: cut to fit, they keep it
    console.log(textTable(['arm', 'n', 'pass', 'pass rate per day', 'p50 per day', 'trend', 'p'], rows, { keepEnd: [3, 4] }))
    say(TREND_LEGEND)
  })
