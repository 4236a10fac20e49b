import { DAY_MS } from '../core/time.js'
import { sparkline } from '../core/trend.js'
import { numberOrText, printJson, queryCommand, scopeOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface TrendCliOptions extends DataDirOptions, JsonOption {
  arm?: string[]
  days?: number | string
  scope?: 'local' | 'hive'
  confidence?: number | string
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export const trendCommand = queryCommand('trend')
  .argument('<task_type>', 'task type, e.g. bug_fix')
  .option('--arm <arm>', 'only this arm, TOOL or TOOL/MODEL (repeatable)', collect)
  .option('--days <n>', 'the last N UTC days (default 30)', numberOrText)
  .option('--scope <scope>', 'local | hive (default hive)', scopeOption)
  .option('--confidence <x>', 'strictly between 0.5 and 1 (default 0.95)', numberOrText)
  .action(async (taskType: string, o: TrendCliOptions) => {
    const r = await withTracker(o, t => t.trend({ taskType, arms: o.arm, days: o.days as number | undefined, scope: o.scope, confidence: o.confidence as number | undefined }))
    if (o.json === true) return printJson(r)
    console.log(`${r.task_type}: ${r.from} to ${r.to} (${r.scope} scope); pass rate per day, then p50 per day (taller = slower)`)
    if (r.arms.length === 0) return console.log('no outcomes in this window')
    const first = Date.parse(r.from)
    for (const a of r.arms) {
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
      const name = a.model === '' ? a.tool : `${a.tool}/${a.model}`
      const p = a.p_value === null ? '' : ` (p = ${a.p_value < 0.0001 ? '<0.0001' : a.p_value.toFixed(4)})`
      console.log(`${name}  n ${a.n}  pass ${(100 * a.pass / a.n).toFixed(1)}%  |${sparkline(rates)}|  p50 |${known.length === 0 ? ' '.repeat(r.days) : sparkline(scaled)}|  ${a.classification}${p}`)
    }
  })
