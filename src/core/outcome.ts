import { z } from 'zod'
import { ValidationError } from '../errors.js'
import { CLOCK_SKEW_MS, DEFAULT_RETENTION_DAYS, MAX_COST_USD, MAX_DURATION_S, MAX_ID_CHARS, MAX_LABEL_CHARS } from './limits.js'
import { dayOf } from './time.js'
import { OUTCOME_CLASSES, type Outcome } from './types.js'

/** An outcome as clients send it (HTTP JSON, JSON Lines, the TypeScript API): DESIGN section 2. */
export interface OutcomeInput {
  task_type: string
  tool: string
  model?: string | null
  outcome?: string
  success?: boolean
  duration_s?: number | null
  cost_usd?: number | null
  offloaded?: boolean
  user_id?: string | null
  id?: string | null
  /** ISO 8601 */
  at?: string | null
}

export const OUTCOME_FIELDS = ['task_type', 'tool', 'model', 'outcome', 'success', 'duration_s', 'cost_usd', 'offloaded', 'user_id', 'id', 'at'] as const

// Rule names double as the `rule` of a ValidationError; the message says the rule in words.
const label = (field: string, min: number) => z.string({ error: `${field}: must be a string` })
  .trim()
  .min(min, { error: 'required, must not be empty' })
  .max(MAX_LABEL_CHARS, { error: `at most ${MAX_LABEL_CHARS} characters` })
  // A lone surrogate has no UTF-8 form: the key shared with peers would differ from ours.
  .refine(s => s.isWellFormed(), { error: 'must be valid Unicode (no lone surrogates)' })


const outcomeSchema = z.strictObject({
  task_type: label('task_type', 1),
  tool: label('tool', 1),
  model: label('model', 0).nullish(),
  outcome: z.enum(OUTCOME_CLASSES, { error: `must be one of ${OUTCOME_CLASSES.join(', ')}` }).optional(),
  success: z.boolean({ error: 'must be true or false' }).optional(),
  duration_s: z.number({ error: 'must be a number' })
    .gt(0, { error: 'must be > 0 (omit it when unknown)' })
    .lte(MAX_DURATION_S, { error: `must be <= ${MAX_DURATION_S} (7 days)` }).nullish(),
  cost_usd: z.number({ error: 'must be a number' })
    .gte(0, { error: 'must be >= 0' })
    .lte(MAX_COST_USD, { error: `must be <= ${MAX_COST_USD}` }).nullish(),
  offloaded: z.boolean({ error: 'must be true or false' }).optional(),
  user_id: z.string({ error: 'must be a string' }).max(MAX_ID_CHARS, { error: `at most ${MAX_ID_CHARS} characters` }).nullish(),
  id: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(MAX_ID_CHARS, { error: `at most ${MAX_ID_CHARS} characters` }).nullish(),
  at: z.string({ error: 'must be an ISO 8601 timestamp string' }).nullish()
}, { error: 'must be a JSON object' })

const RULE_OF_CODE: Record<string, string> = {
  too_small: 'range',
  too_big: 'range',
  invalid_type: 'type',
  invalid_value: 'enum',
  unrecognized_keys: 'unknown_field',
  custom: 'format'
}

const REQUIRED_FIELDS = new Set(['task_type', 'tool'])

function toValidationError (issue: z.core.$ZodIssue, input: unknown): ValidationError {
  if (issue.code === 'unrecognized_keys') {
    return new ValidationError(issue.keys[0] ?? '(object)', 'unknown_field', `unknown field (known: ${OUTCOME_FIELDS.join(', ')})`)
  }
  const field = issue.path.length > 0 ? issue.path.join('.') : '(outcome)'
  let rule = RULE_OF_CODE[issue.code] ?? issue.code
  let message = issue.message
  if (issue.code === 'too_small' && issue.origin === 'string' && REQUIRED_FIELDS.has(field)) rule = 'required'
  const missing = issue.path.length === 1 && typeof input === 'object' && input !== null && !(String(issue.path[0]) in input)
  if (issue.code === 'invalid_type' && missing) { rule = 'required'; message = 'required' }
  return new ValidationError(field, rule, message.replace(`${field}: `, ''))
}

export interface ValidateContext {
  nowMs: number
  retentionDays?: number
}

/** Validates and normalises one outcome (DESIGN section 2); throws ValidationError naming field and rule. */
export function validateOutcome (input: unknown, ctx: ValidateContext): Outcome {
  const parsed = outcomeSchema.safeParse(input)
  if (!parsed.success) throw toValidationError(parsed.error.issues[0], input)
  const v = parsed.data

  let outcome = v.outcome
  if (v.success !== undefined) {
    const implied = v.success ? 'pass' : 'grader_fail'
    if (outcome !== undefined && (outcome === 'pass') !== v.success) {
      throw new ValidationError('success', 'conflict', `success=${String(v.success)} contradicts outcome=${outcome}`)
    }
    outcome ??= implied
  }
  if (outcome === undefined) throw new ValidationError('outcome', 'required', `required (one of ${OUTCOME_CLASSES.join(', ')}, or success: true/false)`)

  return {
    taskType: v.task_type,
    tool: v.tool,
    model: v.model ?? '',
    outcome,
    durationS: v.duration_s ?? null,
    costUsd: v.cost_usd ?? null,
    offloaded: v.offloaded ?? false,
    userId: v.user_id ?? null,
    id: v.id ?? null,
    atMs: parseAt(v.at ?? null, ctx)
  }
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

function parseAt (at: string | null, ctx: ValidateContext): number {
  if (at === null) return ctx.nowMs
  const ms = ISO_8601.test(at) ? Date.parse(at) : Number.NaN
  if (!Number.isFinite(ms)) throw new ValidationError('at', 'format', 'must be an ISO 8601 timestamp, e.g. 2026-11-23T10:00:00Z')
  if (ms > ctx.nowMs + CLOCK_SKEW_MS) throw new ValidationError('at', 'future', 'must not be more than 5 minutes in the future')
  const retentionDays = ctx.retentionDays ?? DEFAULT_RETENTION_DAYS
  if (dayOf(ms) <= dayOf(ctx.nowMs) - retentionDays) {
    throw new ValidationError('at', 'retention', `must be within the ${retentionDays}-day retention window`)
  }
  return ms
}
