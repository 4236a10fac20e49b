import { describe, expect, it } from 'vitest'
import { validateOutcome } from '../src/core/outcome.js'
import { ValidationError } from '../src/errors.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const base = { task_type: 'bug_fix', tool: 'aider', outcome: 'pass' }

function ruleOf (input: unknown): { field: string, rule: string } {
  try {
    validateOutcome(input, { nowMs: NOW })
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError)
    const e = err as ValidationError
    expect(e.message).toContain(e.field)
    return { field: e.field, rule: e.rule }
  }
  throw new Error('expected a ValidationError')
}

describe('validateOutcome (README.md, "Recording outcomes")', () => {
  it('normalises a full outcome', () => {
    const o = validateOutcome({ ...base, task_type: '  bug_fix ', model: 'gpt-5', duration_s: 12.5, cost_usd: 0, offloaded: true, user_id: 'u1', id: 'k1', at: '2026-11-23T11:00:00Z' }, { nowMs: NOW })
    expect(o).toEqual({ taskType: 'bug_fix', tool: 'aider', model: 'gpt-5', outcome: 'pass', durationS: 12.5, costUsd: 0, offloaded: true, userId: 'u1', id: 'k1', atMs: Date.parse('2026-11-23T11:00:00Z') })
  })

  it('defaults: model empty, duration unknown (never 0), at = now, not offloaded', () => {
    const o = validateOutcome(base, { nowMs: NOW })
    expect(o).toMatchObject({ model: '', durationS: null, costUsd: null, offloaded: false, atMs: NOW, id: null })
  })

  it('accepts success as shorthand for pass / grader_fail', () => {
    expect(validateOutcome({ task_type: 't', tool: 'x', success: true }, { nowMs: NOW }).outcome).toBe('pass')
    expect(validateOutcome({ task_type: 't', tool: 'x', success: false }, { nowMs: NOW }).outcome).toBe('grader_fail')
    expect(validateOutcome({ task_type: 't', tool: 'x', success: false, outcome: 'timeout' }, { nowMs: NOW }).outcome).toBe('timeout')
    expect(ruleOf({ task_type: 't', tool: 'x', success: true, outcome: 'timeout' })).toEqual({ field: 'success', rule: 'conflict' })
  })

  it.each([
    [{ tool: 'x', outcome: 'pass' }, 'task_type', 'required'],
    [{ ...base, task_type: '   ' }, 'task_type', 'required'],
    [{ ...base, task_type: 'x'.repeat(129) }, 'task_type', 'range'],
    [{ ...base, task_type: 7 }, 'task_type', 'type'],
    [{ task_type: 't', outcome: 'pass' }, 'tool', 'required'],
    [{ ...base, tool: 'y'.repeat(129) }, 'tool', 'range'],
    [{ ...base, model: 'm'.repeat(129) }, 'model', 'range'],
    [{ task_type: 't', tool: 'x' }, 'outcome', 'required'],
    [{ ...base, outcome: 'passed' }, 'outcome', 'enum'],
    [{ ...base, success: 'yes' }, 'success', 'type'],
    [{ ...base, duration_s: 0 }, 'duration_s', 'range'],
    [{ ...base, duration_s: -1 }, 'duration_s', 'range'],
    [{ ...base, duration_s: 7 * 86400 + 1 }, 'duration_s', 'range'],
    [{ ...base, duration_s: Number.NaN }, 'duration_s', 'type'],
    [{ ...base, duration_s: Number.POSITIVE_INFINITY }, 'duration_s', 'type'],
    [{ ...base, duration_s: '12' }, 'duration_s', 'type'],
    [{ ...base, cost_usd: -0.01 }, 'cost_usd', 'range'],
    [{ ...base, cost_usd: Number.POSITIVE_INFINITY }, 'cost_usd', 'type'],
    [{ ...base, offloaded: 'true' }, 'offloaded', 'type'],
    [{ ...base, id: '' }, 'id', 'range'],
    [{ ...base, id: 'i'.repeat(257) }, 'id', 'range'],
    [{ ...base, at: 'yesterday' }, 'at', 'format'],
    [{ ...base, at: '2026-11-23T12:06:00Z' }, 'at', 'future'],
    [{ ...base, at: '2026-01-01T00:00:00Z' }, 'at', 'retention'],
    [{ ...base, sucess: true }, 'sucess', 'unknown_field'],
    [[1, 2], '(outcome)', 'type'],
    [null, '(outcome)', 'type']
  ])('rejects %j: %s breaks %s', (input, field, rule) => {
    expect(ruleOf(input)).toEqual({ field, rule })
  })

  it('allows 5 minutes of clock skew and the 7-day duration bound exactly', () => {
    expect(validateOutcome({ ...base, at: '2026-11-23T12:04:59Z', duration_s: 7 * 86400 }, { nowMs: NOW }).durationS).toBe(604800)
  })
})

describe('labels', () => {
  it('refuses lone surrogates, which have no UTF-8 form to share', () => {
    expect(ruleOfLabel('bug\uD800fix')).toEqual({ field: 'task_type', rule: 'format' })
  })
})

function ruleOfLabel (taskType: string): { field: string, rule: string } {
  try {
    validateOutcome({ task_type: taskType, tool: 'x', outcome: 'pass' }, { nowMs: Date.now() })
  } catch (err) {
    return { field: (err as ValidationError).field, rule: (err as ValidationError).rule }
  }
  throw new Error('expected a ValidationError')
}
