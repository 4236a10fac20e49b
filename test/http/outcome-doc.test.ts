import { Ajv } from 'ajv'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { validateOutcome } from '../../src/core/outcome.js'
import { outcomeDoc } from '../../src/http/schemas.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const documented = new Ajv({ strictNumbers: true }).compile(outcomeDoc)

const accepted = (input: unknown): boolean => {
  try {
    validateOutcome(input, { nowMs: NOW, retentionDays: 90 })
    return true
  } catch {
    return false
  }
}

describe('the documented outcome schema (OpenAPI)', () => {
  it('accepts every outcome the validator accepts, `at` forms included', () => {
    const at = fc.constantFrom(undefined, null, '2026-11-23T11:00:00Z', '2026-11-23T11:00:00.123+02:00', '2026-11-23', '2026-11-23T11:00', 'yesterday', '')
    const input = fc.record({
      task_type: fc.constantFrom('bug_fix', '  padded  ', ''),
      tool: fc.constantFrom('aider', 'x'.repeat(128)),
      outcome: fc.constantFrom(undefined, 'pass', 'error', 'bogus'),
      success: fc.constantFrom(undefined, true, false),
      duration_s: fc.constantFrom(undefined, null, 0, 1.5, -1),
      at
    }).map(r => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)))
    fc.assert(fc.property(input, (o) => {
      if (accepted(o)) expect(documented(o)).toBe(true)
    }), { numRuns: 500 })
    // the case that drifted: a date-only `at` is valid ISO 8601 for the validator
    expect(accepted({ task_type: 'a', tool: 'b', success: true, at: '2026-11-23' })).toBe(documented({ task_type: 'a', tool: 'b', success: true, at: '2026-11-23' }))
  })
})
