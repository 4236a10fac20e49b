/**
 * Every error code hivebench raises, by area. A code is added here first, so callers (the CLI's
 * exit codes, the HTTP error mapping, tests) can rely on a closed set.
 */
export interface ErrorCodes {
  /** bad input from a user, a client or a file */
  input: 'VALIDATION' | 'FILE'
  /** a received envelope broke a rule of protocol/README.md */
  protocol: 'PROTOCOL'
  /** the data dir: database and identity */
  store: 'DB_OPEN' | 'DB_CORRUPT' | 'DB_INIT' | 'IDENTITY_CORRUPT' | 'IDENTITY_MISMATCH' | 'IDENTITY_UNREADABLE' | 'IDENTITY_UNWRITABLE' | 'POLICY_UNREADABLE' | 'POLICY_CORRUPT'
  /** libp2p transport and the closed-hive key */
  network: 'NETWORK_NOT_STARTED' | 'NETWORK_STATE' | 'MESSAGE_TOO_LARGE' | 'HIVE_KEY_INVALID' | 'HIVE_KEY_UNREADABLE' | 'DIFFERENT_HIVE'
  /** the sync protocol */
  sync: 'SYNC_FAILED' | 'SYNC_LIMIT' | 'SYNC_PROTOCOL' | 'SYNC_REQUEST' | 'SYNC_TIMEOUT' | 'SYNC_BUSY' | 'SYNC_REJECTED'
  /** starting and stopping the node and the daemon */
  lifecycle: 'LIFECYCLE' | 'ADDRESS_IN_USE' | 'DAEMON_RUNNING'
  /** the HTTP API */
  http: 'HTTP_TOKEN' | 'NO_NODE' | 'NOT_FOUND' | 'DASHBOARD_NOT_BUILT'
  /** CLI commands: talking to a running daemon; `run` (its usage, the route it asks, the agent it spawns) */
  cli: 'NO_DAEMON' | 'DAEMON_UNREACHABLE' | 'DAEMON_ERROR' | 'USAGE' | 'ROUTE' | 'SPAWN'
}
export type ErrorCode = ErrorCodes[keyof ErrorCodes]

/**
 * The one error base class of hivebench. Every error we raise on purpose carries a stable
 * `code`; validation errors also name the `field` and the `rule` they broke, so a user (or a
 * peer's log) can tell exactly what to fix.
 */
export class HivebenchError extends Error {
  readonly code: ErrorCode

  constructor (code: ErrorCode, message: string, options?: { cause?: unknown }) {
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
  constructor (code: ErrorCodes['store' | 'network' | 'lifecycle' | 'http'], message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'StateError'
  }
}

/** The message of anything thrown: an Error's message, or the thrown value as a string. */
export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
