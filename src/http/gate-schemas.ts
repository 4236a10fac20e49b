import { MAX_LABEL_CHARS } from '../core/limits.js'
import type { JsonSchema } from './schemas.js'

/**
 * Schemas of the baseline, gate and trend routes. Requests are checked for shape here (types,
 * unknown fields); ranges are checked by the gate operations themselves, so the CLI, the
 * embedded API and HTTP give the same one-line errors. Responses list their main fields and
 * allow more (fastify's serializer would drop undeclared ones otherwise).
 */
const str = { type: 'string' }
const label = { type: 'string', maxLength: MAX_LABEL_CHARS }
const labels = (description: string): JsonSchema => ({ type: 'array', items: label, maxItems: 1000, description })
const num = { type: 'number' }
const nullableNum = { type: ['number', 'null'] }
const nullableStr = { type: ['string', 'null'] }
const open = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema =>
  ({ type: 'object', required, additionalProperties: true, properties })
const strict = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema =>
  ({ type: 'object', additionalProperties: false, required, properties })
const scope = { type: 'string', enum: ['local', 'hive'], description: 'local: this node only; hive: every origin (default)' }

export const captureBody = strict({
  name: { ...str, description: 'letters, digits and . _ @ + -, at most 128' },
  scope,
  task_types: labels('only these task types (default: all)'),
  window_days: { type: 'integer', description: 'the last N UTC days (default 30)' },
  note: str,
  git_sha: str
}, ['name'])

export const baselineNameParams = strict({ name: str }, ['name'])

const verdict = { type: 'string', enum: ['regression', 'improvement', 'no_change', 'insufficient_evidence'] }
const side = open({ tool: str, model: str, n: num, pass: num, pass_rate: nullableNum, n_duration: num, p50_s: nullableNum, p90_s: nullableNum })
const test = { type: ['object', 'null'], additionalProperties: true, properties: { p: num, p_adjusted: num } }

export const gateRow = open({
  task_type: { ...str, description: "a task type, or 'overall' (pooled over the rows' task types, per arm)" },
  old: side,
  new: side,
  verdict,
  pass_rate_drop: { ...nullableNum, description: '1 - new/old pass rate (relative; negative when it rose)' },
  p_value: { ...nullableNum, description: 'Holm-adjusted p-value of the strongest regression test of the row' },
  p50_ratio: nullableNum,
  p90_ratio: nullableNum,
  reason: str,
  tests: open({ pass_rate_drop: test, pass_rate_no_drop: test, pass_rate_gain: test, p50_slowdown: test, p90_slowdown: test, p50_speedup: test, p90_speedup: test }),
  samples_needed: { type: ['object', 'null'], additionalProperties: true, properties: { per_side: nullableNum, more_per_side: nullableNum } }
})

export const gateBody = strict({
  baseline: { ...str, description: 'compare against this baseline' },
  candidate: { type: 'string', enum: ['current'], description: 'current (default): the outcomes recorded since the baseline was captured' },
  candidate_baseline: { ...str, description: 'compare with another baseline instead' },
  old: { ...str, description: 'live comparison: the old arm, TOOL or TOOL/MODEL' },
  new: { ...str, description: 'live comparison: the new arm' },
  arms: labels('only these arms (TOOL or TOOL/MODEL)'),
  task_types: labels('only these task types'),
  max_drop: { ...num, description: 'relative pass-rate drop tolerated (default 0.05)' },
  max_slowdown: { ...num, description: 'relative p50/p90 slowdown tolerated (default 0.05)' },
  confidence: { ...num, description: 'strictly between 0.5 and 1 (default 0.95)' },
  allow_insufficient: { type: 'boolean', description: 'exit_code 0 instead of 3 on insufficient evidence' },
  scope,
  window_days: { type: 'integer', description: 'live comparison: the last N UTC days (default 30)' }
})

export const gateResponse = open({
  verdict,
  exit_code: { type: 'integer', description: 'what `hivebench gate` exits with: 0 pass, 3 insufficient evidence, 4 regression' },
  rows: { type: 'array', items: gateRow },
  reason: str,
  not_compared: {
    type: 'array',
    description: 'task types and arms one side has and the other lacks: not compared',
    items: open({ task_type: str, tool: str, model: str, missing: { type: 'string', enum: ['old', 'new'] } })
  },
  old: { type: 'object', additionalProperties: true },
  new: { type: 'object', additionalProperties: true },
  confidence: num,
  max_drop: num,
  max_slowdown: num,
  multiplicity: str,
  gated_at: str
})

const baselineMeta = {
  name: str,
  created_at: str,
  scope: str,
  window_days: num,
  from: str,
  to: str,
  task_types: { type: ['array', 'null'], items: str },
  note: nullableStr,
  git_sha: nullableStr,
  last_gate: { ...gateResponse, type: ['object', 'null'], description: 'the last gate result judged against this baseline' },
  last_gate_at: nullableStr
}

export const baselineSummary = open({ ...baselineMeta, arms: { type: 'integer', description: 'arms frozen' } })
export const baselinesResponse = open({ baselines: { type: 'array', items: baselineSummary } })
export const baselineResponse = open({ ...baselineMeta, arms: { type: 'array', items: { type: 'object', additionalProperties: true } } })

export const trendQuery = strict({
  task_type: label,
  arm: { type: 'array', items: label, description: 'only this arm, TOOL or TOOL/MODEL (repeatable)' },
  days: { type: 'integer', description: 'the last N UTC days (default 30)' },
  scope,
  confidence: { ...num, description: 'strictly between 0.5 and 1 (default 0.95)' }
}, ['task_type'])

const trendTest = { type: ['object', 'null'], additionalProperties: true, properties: { test: str, z: num, p: num, p_adjusted: num, direction: str } }
export const trendResponse = open({
  task_type: str,
  scope: str,
  days: num,
  from: str,
  to: str,
  confidence: num,
  arms: {
    type: 'array',
    items: open({
      tool: str,
      model: str,
      n: num,
      pass: num,
      classification: { type: 'string', enum: ['improving', 'declining', 'stable', 'insufficient_evidence'] },
      p_value: nullableNum,
      pass_rate: trendTest,
      p50: trendTest,
      points: { type: 'array', items: open({ date: str, n: num, pass: num, pass_rate: num, wilson_lower: num, wilson_upper: num, p50_s: nullableNum }) }
    })
  }
})
