import { numberOrText, printJson, queryCommand, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface RecordOptions extends DataDirOptions, JsonOption {
  taskType: string
  tool: string
  model?: string
  outcome?: string
  success?: string
  duration?: string
  cost?: string
  id?: string
  at?: string
  offloaded?: boolean
  userId?: string
}

export const recordCommand = queryCommand('record')
  .requiredOption('--task-type <type>', 'task type, e.g. bug_fix')
  .requiredOption('--tool <tool>', 'tool, e.g. aider')
  .option('--model <model>', 'model (optional)')
  .option('--outcome <class>', 'pass | grader_fail | timeout | no_tool_calls | error')
  .option('--success <bool>', 'shorthand: true = pass, false = grader_fail')
  .option('--duration <seconds>', 'duration in seconds (omit when unknown)')
  .option('--cost <usd>', 'cost in USD')
  .option('--id <id>', 'idempotency key: the same id recorded twice counts once')
  .option('--at <iso8601>', 'when it happened (default now)')
  .option('--offloaded', 'the task was run for the hive')
  .option('--user-id <id>', 'local user id (never leaves this node)')
  .action(async (o: RecordOptions) => {
    const success = o.success === undefined ? undefined : o.success === 'true' ? true : o.success === 'false' ? false : o.success
    const result = await withTracker(o, t => t.record({
      task_type: o.taskType,
      tool: o.tool,
      model: o.model,
      outcome: o.outcome,
      success,
      duration_s: numberOrText(o.duration),
      cost_usd: numberOrText(o.cost),
      id: o.id,
      at: o.at,
      offloaded: o.offloaded,
      user_id: o.userId
    }))
    if (o.json === true) return printJson(result)
    console.log(result.recorded === 1 ? 'recorded 1 outcome' : `duplicate id ${o.id ?? ''}: already recorded, counted once`)
  })
