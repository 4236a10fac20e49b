import type { FastifyError } from 'fastify'
import { HivebenchError, ValidationError, type ErrorCodes } from '../errors.js'

/** An error the API answers with on purpose, with its HTTP status. */
export class ApiError extends HivebenchError {
  readonly status: number

  constructor (status: number, code: ErrorCodes['http'], message: string) {
    super(code, message)
    this.name = 'ApiError'
    this.status = status
  }
}

export interface ErrorBody {
  error: { code: string, message: string, field?: string, rule?: string, row?: number }
}

export interface ErrorReply {
  status: number
  body: ErrorBody
  /** a bug or an outage, not the client's fault: log it */
  unexpected: boolean
  /** the disk is full or failing: log it, but at most once a minute (storage-log.ts) */
  storage?: boolean
}

/**
 * SQLite's and the OS's ways of saying the disk is full (507 Insufficient Storage) or that
 * storage failed (503: try again later). Nothing was stored: a batch is one transaction, and
 * SQLite rolls it back whole; what was acknowledged before stays intact.
 */
function storageReply (err: unknown): ErrorReply | undefined {
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string') return undefined
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return { status: 507, body: { error: { code: 'STORAGE_FULL', message: 'the node\'s disk is full: nothing was stored; free some space and retry (reads keep working)' } }, unexpected: false, storage: true }
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'EIO' || code === 'EROFS') {
    return { status: 503, body: { error: { code: 'STORAGE_UNAVAILABLE', message: 'the node cannot write to its disk right now: nothing was stored; retry later' } }, unexpected: false, storage: true }
  }
  return undefined
}

// ajv keywords, named as the tracker names its rules so clients see one vocabulary.
const RULE_OF_KEYWORD: Record<string, string> = {
  required: 'required',
  additionalProperties: 'unknown_field',
  type: 'type',
  enum: 'enum',
  minimum: 'range',
  maximum: 'range',
  exclusiveMinimum: 'range',
  exclusiveMaximum: 'range',
  minLength: 'range',
  maxLength: 'range'
}

interface AjvIssue {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

function schemaError (issue: AjvIssue, context: string | undefined): ErrorBody {
  const named = issue.params.missingProperty ?? issue.params.additionalProperty
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.')
  const field = typeof named === 'string' ? named : path !== '' ? path : `(${context ?? 'request'})`
  const rule = RULE_OF_KEYWORD[issue.keyword] ?? issue.keyword
  let detail = issue.message ?? 'invalid'
  if (rule === 'unknown_field') detail = 'unknown parameter'
  else if (rule === 'required') detail = 'required'
  else if (field === '(body)') detail = 'must be a JSON object: one outcome, or {"outcomes": [...]}'
  return { error: { code: 'VALIDATION', message: `${field}: ${detail}`, field, rule } }
}

const validation = (field: string, rule: string, message: string): ErrorBody => ({ error: { code: 'VALIDATION', message, field, rule } })

/**
 * Maps anything a request can throw to a status and a JSON error body: bad input is a 4xx that
 * names the field and rule; a full or failing disk is a 507 or 503; anything else is a 500 with
 * a generic message (details go to the log).
 */

/** Logs at most one line per `intervalMs` (default a minute), counting the lines it held back. */
export function createThrottledLog (log: (fields: object, message: string) => void, intervalMs = 60_000, now: () => number = Date.now): (fields: object, message: string) => void {
  let lastMs = -Infinity
  let held = 0
  return (fields, message) => {
    const t = now()
    if (t - lastMs < intervalMs) {
      held++
      return
    }
    log({ ...fields, ...(held > 0 ? { suppressed: held } : {}) }, message)
    lastMs = t
    held = 0
  }
}
export function toErrorReply (err: unknown): ErrorReply {
  if (err instanceof ValidationError) {
    const body = validation(err.field, err.rule, err.message)
    if (err.location?.kind === 'row') body.error.row = err.location.index
    return { status: 400, body, unexpected: false }
  }
  if (err instanceof ApiError) return { status: err.status, body: { error: { code: err.code, message: err.message } }, unexpected: false }
  const storage = storageReply(err)
  if (storage !== undefined) return storage

  const fe = err as Partial<FastifyError> & { validation?: AjvIssue[], validationContext?: string }
  const [issue] = Array.isArray(fe.validation) ? fe.validation : []
  if (issue !== undefined) return { status: 400, body: schemaError(issue, fe.validationContext), unexpected: false }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // fastify's parser keeps no reason; these are the two it refuses.
      return { status: 400, body: validation('(body)', 'json', '(body): not valid JSON (a syntax error, or a forbidden __proto__ / constructor.prototype key)'), unexpected: false }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: validation('(body)', 'json', '(body): empty, but the content-type says JSON'), unexpected: false }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: { code: 'BODY_TOO_LARGE', message: 'request body is too large (send large imports as several batches)' } }, unexpected: false }
  }
  // Other framework errors on the client's side (unsupported media type, bad content length)
  // carry their own 4xx status and a safe message.
  const status = fe.statusCode ?? 500
  if (status >= 400 && status < 500 && typeof fe.code === 'string') {
    return { status, body: { error: { code: fe.code, message: fe.message ?? 'bad request' } }, unexpected: false }
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error (logged on the node)' } }, unexpected: true }
}
