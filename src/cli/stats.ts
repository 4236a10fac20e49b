import { positiveInt, printJson, queryCommand, scopeOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'
import { rankingTable } from './format.js'

interface StatsOptions extends DataDirOptions, JsonOption {
  taskType?: string
  scope?: 'local' | 'hive'
  windowDays?: number
  minSamples?: number
}

export const statsCommand = queryCommand('stats', 'per task type: every arm with pass rate, bounds, latency, cost, outcome mix and origins')
  .option('--task-type <type>', 'only this task type')
  .option('--scope <scope>', 'local | hive (default hive)', scopeOption)
  .option('--window-days <n>', 'only the last N UTC days (default 30)', positiveInt('--window-days'))
  .option('--min-samples <n>', 'samples an arm needs to be ranked (default 5)', positiveInt('--min-samples'))
  .action(async (o: StatsOptions) => {
    const result = await withTracker(o, t => t.stats(o), { readonly: true })
    if (o.json === true) return printJson(result)
    if (result.task_types.length === 0) return console.log(`no outcomes in the last ${result.window_days} days (${result.scope} scope)`)
    for (const { task_type: taskType, ranking } of result.task_types) {
      console.log(`\n${taskType}  (${result.scope} scope, last ${result.window_days} days)`)
      console.log(rankingTable(ranking))
    }
  })
