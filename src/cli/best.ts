import { DEFAULT_ANSWER_ARMS } from '../core/limits.js'
import { isoDay } from '../core/time.js'
import { RANKING_LEGEND, rankingTable } from './format.js'
import { positiveInt, printJson, queryCommand, scopeOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'
import { say } from './terminal.js'

interface BestOptions extends DataDirOptions, JsonOption {
  scope?: 'local' | 'hive'
  model?: string
  windowDays?: number
  minSamples?: number
  limit?: number
}

export const bestCommand = queryCommand('best')
  .argument('<task_type>', 'task type, e.g. bug_fix')
  .option('--scope <scope>', 'local | hive (default hive: all origins, this node included)', scopeOption)
  .option('--model <model>', 'only arms with this model')
  .option('--window-days <n>', 'only the last N UTC days (default 30)', positiveInt('--window-days'))
  .option('--min-samples <n>', 'samples an arm needs to be eligible (default 5)', positiveInt('--min-samples'))
  .option('--limit <n>', `arms listed, best first (default ${DEFAULT_ANSWER_ARMS})`, positiveInt('--limit'))
  .action(async (taskType: string, o: BestOptions) => {
    const result = await withTracker(o, t => t.best(taskType, o), { readonly: true })
    if (o.json === true) return printJson(result)
    if (!result.known) {
      // a typo is not a failure (exit 0), but it must not read like "no data yet" for a real type
      const hint = result.closest.length > 0 ? `; closest known: ${result.closest.join(', ')}` : '; no task type has data in this scope and window yet'
      say(`no data for task type '${result.task_type}' (${result.scope} scope, last ${result.window_days} days)${hint}`)
      return
    }
    const best = result.best
    say(best === null
      ? `no tool for ${result.task_type} has ${result.min_samples}+ samples yet (${result.scope} scope, last ${result.window_days} days)`
      : `best for ${result.task_type}: ${best.tool}${best.model === '' ? '' : ` / ${best.model}`} ` +
        `(${best.pass}/${best.n} passed, 95% lower bound ${(best.wilson_lower * 100).toFixed(1)}%; ${result.scope} scope, last ${result.window_days} days to ${isoDay(Math.floor(Date.now() / 86_400_000))})`)
    if (result.ranking.length > 0) {
      console.log(rankingTable(result.ranking))
      say(RANKING_LEGEND)
    }
  })
