import { EXPLORE_SHARE_HELP } from '../core/route.js'
import { DEFAULT_ANSWER_ARMS } from '../core/limits.js'
import { say } from './terminal.js'
import { positiveInt, printJson, queryCommand, scopeOption, shareOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface RouteOptions extends DataDirOptions, JsonOption {
  exploreShare?: number
  seed?: string
  scope?: 'local' | 'hive'
  model?: string
  windowDays?: number
  minSamples?: number
  limit?: number
}

export const routeCommand = queryCommand('route')
  .argument('<task_type>', 'task type, e.g. bug_fix')
  .option('--explore-share <f>', EXPLORE_SHARE_HELP, shareOption)
  .option('--seed <s>', 'makes the decision reproducible (an integer, or any string)')
  .option('--scope <scope>', 'local | hive (default hive)', scopeOption)
  .option('--model <model>', 'only arms with this model')
  .option('--window-days <n>', 'only the last N UTC days (default 30)', positiveInt('--window-days'))
  .option('--min-samples <n>', 'samples an arm needs to be eligible (default 5)', positiveInt('--min-samples'))
  .option('--limit <n>', `arms considered, best first (default ${DEFAULT_ANSWER_ARMS})`, positiveInt('--limit'))
  .addHelpText('after', '\nThe same options as GET /v1/route.')
  .action(async (taskType: string, o: RouteOptions) => {
    const query = { scope: o.scope, model: o.model, windowDays: o.windowDays, minSamples: o.minSamples, limit: o.limit, exploreShare: o.exploreShare, seed: o.seed }
    const result = await withTracker(o, t => t.route(taskType, query), { readonly: true })
    if (o.json === true) return printJson(result)
    const arm = result.arm === null ? '-' : result.arm.model === '' ? result.arm.tool : `${result.arm.tool} / ${result.arm.model}`
    say(`mode:   ${result.mode}\narm:    ${arm}\nreason: ${result.reason}`)
  })
