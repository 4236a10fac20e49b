/**
 * The one error base class of hivebench. Every error we raise on purpose carries a stable
 * `code`; validation errors also name the `field` and the `rule` they broke, so a user (or a
 * peer's log) can tell exactly what to fix.
 */
export class HivebenchError extends Error {
  readonly code: string

  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HivebenchError'
    this.code = code
  }
}

/** Bad input from a user or an API client: names the field, the rule, and where (row / line). */
export class ValidationError extends HivebenchError {
  readonly field: string
  readonly rule: string
  /** the rule in words, without field or location */
  readonly detail: string
  /** 1-based row of a batch or line of a file, when the input had several. */
  readonly location?: { kind: 'row' | 'line', index: number }

  constructor (field: string, rule: string, detail: string, location?: { kind: 'row' | 'line', index: number }) {
    const where = location === undefined ? '' : `${location.kind} ${location.index}: `
    super('VALIDATION', `${where}${field}: ${detail}`)
    this.name = 'ValidationError'
    this.field = field
    this.rule = rule
    this.detail = detail
    this.location = location
  }

  /** The same error, placed at a row or line of a batch or file. */
  at (kind: 'row' | 'line', index: number): ValidationError {
    return new ValidationError(this.field, this.rule, this.detail, { kind, index })
  }
}

/** A problem with the node's own state (data dir, database, identity) that the user must resolve. */
export class StateError extends HivebenchError {
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'StateError'
  }
}

/** The message of anything thrown: an Error's message, or the thrown value as a string. */
export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
