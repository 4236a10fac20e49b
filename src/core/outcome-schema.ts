import { MAX_COST_USD, MAX_DURATION_S, MAX_ID_CHARS } from './limits.js'
import { OUTCOME_CLASSES } from './types.js'

/**
 * The structure, types and bounds of an outcome as clients send it (DESIGN section 2), as a JSON
 * Schema. It is compiled ahead of time into outcome-check.generated.ts (`npm run gen:validator`;
 * a test fails when the two disagree): compiling it with ajv at every CLI start cost ~100 ms of
 * a `hivebench record` (loading ajv, then code generation), the generated code costs ~1 ms.
 * Labels are trimmed and checked after it, by core/outcome.ts.
 */
const nullable = (type: string): string[] => [type, 'null']

export const outcomeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['task_type', 'tool'],
  properties: {
    task_type: { type: 'string' },
    tool: { type: 'string' },
    model: { type: nullable('string') },
    outcome: { enum: OUTCOME_CLASSES },
    success: { type: 'boolean' },
    duration_s: { type: nullable('number'), exclusiveMinimum: 0, maximum: MAX_DURATION_S },
    cost_usd: { type: nullable('number'), minimum: 0, maximum: MAX_COST_USD },
    offloaded: { type: 'boolean' },
    user_id: { type: nullable('string'), maxLength: MAX_ID_CHARS },
    id: { type: nullable('string'), minLength: 1, maxLength: MAX_ID_CHARS },
    at: { type: nullable('string') }
  }
} as const

/**
 * The ajv options of the compiled check. strictNumbers: NaN and Infinity (possible from the
 * TypeScript API, never from JSON) are not numbers. unicode false: lengths count UTF-16 code
 * units, as the label checks do (ajv's code-point counter is a CommonJS runtime module that
 * generated ES module code cannot import).
 */
export const OUTCOME_CHECK_OPTIONS = { strictNumbers: true, allErrors: false, unicode: false } as const
