import { randomFor } from '../core/random.js'
import { DEFAULT_EXPLORE_SHARE, routeResult } from '../core/route.js'
import { positiveInt, printJson, queryCommand, scopeOption, shareOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface RouteOptions extends DataDirOptions, JsonOption {
  exploreShare?: number
  seed?: string
  scope?: 'local' | 'hive'
  model?: string
  windowDays?: number
  minSamples?: number
}

export const routeCommand = queryCommand('route', 'which tool to use now: the best one, or (at the explore share) an under-sampled one, and why')
  .argument('<task_type>', 'task type, e.g. bug_fix')
  .option('--explore-share <f>', `share of decisions that explore, 0..1 (default ${DEFAULT_EXPLORE_SHARE}; 0 disables)`, shareOption)
  .option('--seed <s>', 'makes the decision reproducible (an integer, or any string)')
  .option('--scope <scope>', 'local | hive (default hive)', scopeOption)
  .option('--model <model>', 'only arms with this model')
  .option('--window-days <n>', 'only the last N UTC days (default 30)', positiveInt('--window-days'))
  .option('--min-samples <n>', 'samples an arm needs to be eligible (default 5)', positiveInt('--min-samples'))
  .addHelpText('after', '\nThe same options as GET /v1/route.\n\nExample:\n  $ hivebench route bug_fix --seed "$TASK_ID" --json')
  .action(async (taskType: string, o: RouteOptions) => {
    const query = { scope: o.scope, model: o.model, windowDays: o.windowDays, minSamples: o.minSamples }
    const result = await withTracker(o, t => routeResult(t.best(taskType, query), { exploreShare: o.exploreShare, random: randomFor(o.seed) }))
    if (o.json === true) return printJson(result)
    const arm = result.arm === null ? '-' : result.arm.model === '' ? result.arm.tool : `${result.arm.tool} / ${result.arm.model}`
    console.log(`mode:   ${result.mode}\narm:    ${arm}\nreason: ${result.reason}`)
  })
