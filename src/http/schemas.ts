import { EXPLORE_SHARE_HELP } from '../core/route.js'
import { DEFAULT_ANSWER_ARMS, MAX_LABEL_CHARS } from '../core/limits.js'
import { outcomeSchema } from '../core/outcome-schema.js'
import { OUTCOME_CLASSES } from '../core/types.js'

/**
 * JSON Schemas of the HTTP API. fastify validates query strings and serializes responses with
 * them; the OpenAPI document is built from the same objects (src/http/openapi.ts).
 */
export type JsonSchema = Record<string, unknown>

const str = { type: 'string' }
const int = { type: 'integer', minimum: 0 }
const num = { type: 'number' }
const nullableNum = { type: ['number', 'null'] }
export const object = (properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema =>
  ({ type: 'object', required: Object.keys(properties), properties, ...extra })

const armProperties = {
  tool: str,
  model: { ...str, description: "'' = unspecified" },
  n: int,
  pass: int,
  pass_rate: nullableNum,
  wilson_lower: { ...num, description: 'the ranking key: Wilson score 95% lower bound of the weighted pass rate; in hive scope after leaving out the most favourable origin' },
  wilson_upper: num,
  p50_s: nullableNum,
  p90_s: nullableNum,
  mean_cost_usd: nullableNum,
  outcomes: object(Object.fromEntries(OUTCOME_CLASSES.map(c => [c, int]))),
  origins: { ...int, description: 'origins (nodes) whose counters are behind the figures' },
  benchmarked: { type: 'boolean', description: 'eligible as best: the minimum weighted samples, from enough distinct origins (hive scope)' },
  weighted_n: { ...num, description: 'the sample weight the ranking used after the per-origin cap' },
  weighted_pass: { ...num, description: 'the passes inside weighted_n' }
}

export const rankedArm = object(armProperties)
export const nullableArm = { ...rankedArm, type: ['object', 'null'] }

export const scope = { type: 'string', enum: ['local', 'hive'], description: 'local: this node only; hive: every origin (default)' }
export const taskType = { type: 'string', maxLength: MAX_LABEL_CHARS, description: 'e.g. bug_fix' }
export const windowDays = { type: 'integer', minimum: 1, description: 'only the last N UTC days (default 30)' }
export const minSamples = { type: 'integer', minimum: 1, description: 'samples an arm needs to be eligible as best (default 5)' }
export const model = { type: 'string', maxLength: MAX_LABEL_CHARS, description: 'only arms with this model' }
const limit = { type: 'integer', minimum: 1, description: `arms listed per ranking, best first (default ${DEFAULT_ANSWER_ARMS}); arms_total says how many exist` }

// Unknown query parameters are refused (ajv runs with removeAdditional off): a typo such as
// `windowdays` must not silently fall back to the default.
export const query = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema =>
  ({ type: 'object', additionalProperties: false, required, properties })

export const bestQuery = query({ task_type: taskType, scope, model, window_days: windowDays, min_samples: minSamples, limit }, ['task_type'])
export const statsQuery = query({ task_type: taskType, scope, window_days: windowDays, min_samples: minSamples, limit })
export const routeQuery = query({
  task_type: taskType,
  scope,
  model,
  window_days: windowDays,
  min_samples: minSamples,
  limit,
  explore_share: { type: 'number', minimum: 0, maximum: 1, description: EXPLORE_SHARE_HELP },
  seed: { type: 'string', minLength: 1, maxLength: 128, description: 'makes the decision deterministic (an integer, or any string)' }
}, ['task_type'])

export const bestResponse = object({
  task_type: str,
  scope: str,
  window_days: int,
  min_samples: int,
  best: nullableArm,
  ranking: { type: 'array', items: rankedArm },
  arms_total: int,
  known: { type: 'boolean', description: 'false: no arm of this task type has a sample in this scope and window' },
  closest: { type: 'array', items: str, description: 'when not known: the known task types closest to the name asked for, closest first' }
})

export const statsResponse = object({
  scope: str,
  window_days: int,
  task_types: { type: 'array', items: object({ task_type: str, ranking: { type: 'array', items: rankedArm }, arms_total: int }) }
})

export const routeResponse = object({
  task_type: str,
  scope: str,
  explore_share: num,
  mode: { type: 'string', enum: ['exploit', 'explore', 'cold_start'] },
  arm: nullableArm,
  reason: { ...str, description: 'one sentence: what was done and why' },
  ranking: {
    type: 'array',
    items: object({ tool: str, model: str, n: int, pass_rate: nullableNum, wilson_lower: num, benchmarked: { type: 'boolean' } })
  }
})

export const recordResponse = object({
  recorded: { ...int, description: 'outcomes stored' },
  duplicates: { ...int, description: 'outcomes skipped because their id was already recorded' }
})

export const freeObject: JsonSchema = { type: 'object', additionalProperties: true }
export const peersResponse: JsonSchema = { type: 'object', required: ['peers'], additionalProperties: true, properties: { peers: { type: 'array', items: freeObject } } }
export const healthResponse = object({ status: { type: 'string', enum: ['ok'] } })

export const errorResponse = object({
  error: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: str,
      message: str,
      field: { ...str, description: 'the input field at fault' },
      rule: { ...str, description: 'the rule it broke, e.g. required, type, range, enum, unknown_field' },
      row: { type: 'integer', description: '1-based row of a batch' }
    }
  }
})

/**
 * The outcome as documented for clients: the validator's own schema (core/outcome-schema.ts), plus the
 * label bounds it checks after trimming. Only the OpenAPI document uses it: the server validates
 * outcomes with the tracker's own rules, so that every interface (HTTP, CLI, import, TypeScript)
 * reports the same field and rule, and ajv's type coercion never turns `"12"` into a duration.
 */
export const outcomeDoc = {
  ...outcomeSchema,
  properties: {
    ...outcomeSchema.properties,
    task_type: { ...outcomeSchema.properties.task_type, minLength: 1, maxLength: MAX_LABEL_CHARS, description: 'trimmed, then 1..128 characters' },
    tool: { ...outcomeSchema.properties.tool, minLength: 1, maxLength: MAX_LABEL_CHARS, description: 'trimmed, then 1..128 characters' },
    model: { ...outcomeSchema.properties.model, maxLength: MAX_LABEL_CHARS, description: "'' or null = unspecified" },
    outcome: { ...outcomeSchema.properties.outcome, description: 'required unless success is given' },
    success: { ...outcomeSchema.properties.success, description: 'shorthand: true = pass, false = grader_fail' },
    duration_s: { ...outcomeSchema.properties.duration_s, description: 'omit when unknown, never 0' },
    user_id: { ...outcomeSchema.properties.user_id, description: 'never leaves the node' },
    id: { ...outcomeSchema.properties.id, description: 'idempotency key: the same id counts once' },
    at: { ...outcomeSchema.properties.at, description: 'ISO 8601 timestamp; default now; at most 5 minutes ahead, inside the retention window' }
  }
}

export function outcomesBodyDoc (maxBatch: number): JsonSchema {
  return {
    oneOf: [
      outcomeDoc,
      { type: 'object', additionalProperties: false, required: ['outcomes'], properties: { outcomes: { type: 'array', maxItems: maxBatch, items: outcomeDoc } } }
    ]
  }
}
