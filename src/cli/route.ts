import { DEFAULT_EXPLORE_SHARE } from '../core/route.js'
import { printJson, queryCommand, scopeOption, shareOption, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface RouteOptions extends DataDirOptions, JsonOption {
  exploreShare?: number
  seed?: string
  scope?: 'local' | 'hive'
}

export const routeCommand = queryCommand('route')
  .argument('<task_type>', 'task type, e.g. bug_fix')
  .option('--explore-share <f>', `share of decisions that explore, 0..1 (default ${DEFAULT_EXPLORE_SHARE}; 0 disables)`, shareOption)
  .option('--seed <s>', 'makes the decision reproducible (an integer, or any string)')
  .option('--scope <scope>', 'local | hive (default hive)', scopeOption)
  .action(async (taskType: string, o: RouteOptions) => {
    const result = await withTracker(o, t => t.route(taskType, { scope: o.scope, exploreShare: o.exploreShare, seed: o.seed }))
    if (o.json === true) return printJson(result)
    const arm = result.arm === null ? '-' : result.arm.model === '' ? result.arm.tool : `${result.arm.tool} / ${result.arm.model}`
    console.log(`mode:   ${result.mode}\narm:    ${arm}\nreason: ${result.reason}`)
  })
