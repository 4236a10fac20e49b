import { DEFAULT_ANSWER_ARMS } from '../core/limits.js'
import { positiveInt, printJson, queryCommand, scopeOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'
import { originTable, RANKING_LEGEND, rankingTable } from './format.js'
import { say } from './terminal.js'

interface StatsOptions extends DataDirOptions, JsonOption {
  taskType?: string
  scope?: 'local' | 'hive'
  windowDays?: number
  minSamples?: number
  limit?: number
  byOrigin?: boolean
}

export const statsCommand = queryCommand('stats')
  .option('--task-type <type>', 'only this task type')
  .option('--scope <scope>', 'local | hive (default hive)', scopeOption)
  .option('--window-days <n>', 'only the last N UTC days (default 30)', positiveInt('--window-days'))
  .option('--min-samples <n>', 'samples an arm needs to be ranked (default 5)', positiveInt('--min-samples'))
  .option('--limit <n>', `arms listed, best first (default ${DEFAULT_ANSWER_ARMS})`, positiveInt('--limit'))
  .option('--by-origin', 'per arm: samples per origin and the weight the ranking counted after the per-origin cap')
  .action(async (o: StatsOptions) => {
    if (o.byOrigin === true) return await statsByOrigin(o)
    const result = await withTracker(o, t => t.stats(o), { readonly: true })
    if (o.json === true) return printJson(result)
    if (result.task_types.length === 0) return say(`no outcomes in the last ${result.window_days} days (${result.scope} scope)`)
    for (const { task_type: taskType, ranking } of result.task_types) {
      say(`\n${taskType}  (${result.scope} scope, last ${result.window_days} days)`)
      console.log(rankingTable(ranking))
    }
    say(`\n${RANKING_LEGEND}`)
  })

async function statsByOrigin (o: StatsOptions): Promise<void> {
  const results = await withTracker(o, t => t.stats(o).task_types.map(({ task_type: taskType }) => t.armsByOrigin(taskType, o)))
  if (o.json === true) return printJson({ task_types: results })
  if (results.length === 0) return say(`no outcomes in the window (${o.scope ?? 'hive'} scope)`)
  for (const r of results) {
    say(`\n${r.task_type}  (${r.scope} scope, last ${r.window_days} days, one origin counts for at most min(${r.origin_cap}, 2 x the median other origin) samples on an arm)`)
    console.log(originTable(r))
  }
}
