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
 * names the field and rule; anything else is a 500 with a generic message (details go to the log).
 */
export function toErrorReply (err: unknown): ErrorReply {
  if (err instanceof ValidationError) {
    const body = validation(err.field, err.rule, err.message)
    if (err.location?.kind === 'row') body.error.row = err.location.index
    return { status: 400, body, unexpected: false }
  }
  if (err instanceof ApiError) return { status: err.status, body: { error: { code: err.code, message: err.message } }, unexpected: false }

  const fe = err as Partial<FastifyError> & { validation?: AjvIssue[], validationContext?: string }
  if (Array.isArray(fe.validation) && fe.validation.length > 0) {
    return { status: 400, body: schemaError(fe.validation[0], fe.validationContext), unexpected: false }
  }
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
