import type { ErrorObject } from 'ajv'
import { ValidationError } from '../errors.js'
import { CLOCK_SKEW_MS, DEFAULT_RETENTION_DAYS, MAX_COST_USD, MAX_DURATION_S, MAX_ID_CHARS, MAX_LABEL_CHARS } from './limits.js'
import { validate as generatedCheck } from './outcome-check.generated.js'
import { dayOf } from './time.js'
import { OUTCOME_CLASSES, type Outcome, type OutcomeClass } from './types.js'

/** An outcome as clients send it (HTTP JSON, JSON Lines, the TypeScript API): README.md, "Recording outcomes". */
export interface OutcomeInput {
  task_type: string
  tool: string
  model?: string | null
  outcome?: OutcomeClass
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

// Structure, types and bounds are checked by the JSON Schema of outcome-schema.ts, compiled
// ahead of time (about 0.25 µs per outcome); labels are trimmed and checked by normaliseLabel
// after it. Each keyword has its message here, and rule names double as the `rule` of a
// ValidationError.
const TYPE_MESSAGES: Record<string, string> = {
  outcome: `must be one of ${OUTCOME_CLASSES.join(', ')}`,
  success: 'must be true or false',
  offloaded: 'must be true or false',
  duration_s: 'must be a number',
  cost_usd: 'must be a number',
  at: 'must be an ISO 8601 timestamp string'
}

const BOUND_MESSAGES: Record<string, Record<string, string>> = {
  duration_s: { exclusiveMinimum: 'must be > 0 (omit it when unknown)', maximum: `must be <= ${MAX_DURATION_S} (7 days)` },
  cost_usd: { minimum: 'must be >= 0', maximum: `must be <= ${MAX_COST_USD}` },
  user_id: { maxLength: `at most ${MAX_ID_CHARS} characters` },
  id: { minLength: 'must not be empty', maxLength: `at most ${MAX_ID_CHARS} characters` }
}

interface StructureCheck {
  (input: unknown): boolean
  errors?: ErrorObject[] | null
}
const checkStructure = generatedCheck as StructureCheck

function toValidationError (error: ErrorObject | undefined): ValidationError {
  // a failed check always lists its first error; without one, say what failed in general
  if (error === undefined) return new ValidationError('(outcome)', 'schema', 'does not match the outcome schema')
  const field = error.instancePath === '' ? '(outcome)' : error.instancePath.slice(1)
  switch (error.keyword) {
    case 'required':
      return new ValidationError(String(error.params.missingProperty), 'required', 'required')
    case 'additionalProperties':
      return new ValidationError(String(error.params.additionalProperty), 'unknown_field', `unknown field (known: ${OUTCOME_FIELDS.join(', ')})`)
    case 'type':
      return new ValidationError(field, 'type', field === '(outcome)' ? 'must be a JSON object' : TYPE_MESSAGES[field] ?? 'must be a string')
    case 'enum':
      return new ValidationError(field, 'enum', TYPE_MESSAGES[field] ?? error.message ?? 'not an allowed value')
    default:
      return new ValidationError(field, 'range', BOUND_MESSAGES[field]?.[error.keyword] ?? error.message ?? 'out of range')
  }
}

/** A label trimmed, then checked: non-empty (unless `allowEmpty`), at most MAX_LABEL_CHARS, valid Unicode. */
function normaliseLabel (field: string, value: string, allowEmpty: boolean): string {
  const label = value.trim()
  if (label === '' && !allowEmpty) throw new ValidationError(field, 'required', 'required, must not be empty')
  if (label.length > MAX_LABEL_CHARS) throw new ValidationError(field, 'range', `at most ${MAX_LABEL_CHARS} characters`)
  // A lone surrogate has no UTF-8 form: the key shared with peers would differ from ours.
  if (!label.isWellFormed()) throw new ValidationError(field, 'format', 'must be valid Unicode (no lone surrogates)')
  return label
}

export interface ValidateContext {
  nowMs: number
  retentionDays?: number
}

/** Validates and normalises one outcome (README.md, "Recording outcomes"); throws ValidationError naming field and rule. */
export function validateOutcome (input: unknown, ctx: ValidateContext): Outcome {
  if (!checkStructure(input)) throw toValidationError(checkStructure.errors?.[0])
  const v = input as OutcomeInput

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
    taskType: normaliseLabel('task_type', v.task_type, false),
    tool: normaliseLabel('tool', v.tool, false),
    model: v.model == null ? '' : normaliseLabel('model', v.model, true),
    outcome: outcome as OutcomeClass,
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
