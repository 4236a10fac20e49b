import { MAX_LABEL_CHARS } from '../core/limits.js'
import { ValidationError } from '../errors.js'
import type { Scope } from '../store/index.js'

/** Checks of the gate's, baselines' and trends' inputs: each failure names the field and the rule. */

/** An arm as given on the command line: `TOOL` (every model of it) or `TOOL/MODEL`. */
export interface ArmSpec { tool: string, model: string | null }

/**
 * `TOOL[/MODEL]`, split at the first '/' (model names such as `openai/gpt-5` keep theirs). A
 * version belongs in the tool label: `aider@0.86` (see README, "tool@version").
 */
export function parseArmSpec (field: string, value: unknown): ArmSpec {
  if (value === undefined || value === null) throw new ValidationError(field, 'required', 'required: TOOL or TOOL/MODEL')
  if (typeof value !== 'string') throw new ValidationError(field, 'type', 'must be a string: TOOL or TOOL/MODEL')
  const slash = value.indexOf('/')
  const tool = (slash === -1 ? value : value.slice(0, slash)).trim()
  const model = slash === -1 ? null : value.slice(slash + 1).trim()
  if (tool === '') throw new ValidationError(field, 'required', 'needs a tool: TOOL or TOOL/MODEL')
  if (tool.length > MAX_LABEL_CHARS || (model?.length ?? 0) > MAX_LABEL_CHARS) throw new ValidationError(field, 'range', `tool and model are at most ${MAX_LABEL_CHARS} characters each`)
  return { tool, model }
}

export const armMatches = (spec: ArmSpec, arm: { tool: string, model: string }): boolean =>
  arm.tool === spec.tool && (spec.model === null || arm.model === spec.model)

export const armLabel = (arm: { tool: string, model: string | null }): string =>
  arm.model === null ? arm.tool : `${arm.tool}/${arm.model}`

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/

/** A baseline name: it appears in URLs and shell commands, so letters, digits and . _ @ + - only. */
export function checkBaselineName (field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ValidationError(field, 'required', 'a baseline name is required')
  if (!NAME.test(value)) throw new ValidationError(field, 'format', 'must start with a letter or digit and use only letters, digits and . _ @ + - (at most 128)')
  return value
}

export function checkTaskTypes (field: string, value: unknown): string[] | null {
  if (value === undefined || value === null) return null
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0) return null
  return [...new Set(list.map(t => {
    if (typeof t !== 'string' || t.trim() === '') throw new ValidationError(field, 'required', 'task types must be non-empty strings')
    if (t.trim().length > MAX_LABEL_CHARS) throw new ValidationError(field, 'range', `at most ${MAX_LABEL_CHARS} characters`)
    return t.trim()
  }))]
}

export function checkArmSpecs (field: string, value: unknown): ArmSpec[] | null {
  if (value === undefined || value === null) return null
  const list = Array.isArray(value) ? value : [value]
  return list.length === 0 ? null : list.map(v => parseArmSpec(field, v))
}

export function checkScope (value: unknown): Scope {
  if (value === undefined) return 'hive'
  if (value !== 'local' && value !== 'hive') throw new ValidationError('scope', 'enum', 'must be local or hive')
  return value
}

export function checkDays (field: string, value: unknown, fallback: number, max: number): number {
  const days = value ?? fallback
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > max) {
    throw new ValidationError(field, 'range', `must be an integer from 1 to ${max} (the retention window)`)
  }
  return days
}

export function checkText (field: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new ValidationError(field, 'type', 'must be a string')
  if (value.length > max) throw new ValidationError(field, 'range', `at most ${max} characters`)
  return value
}
