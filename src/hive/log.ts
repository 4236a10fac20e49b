import { pino, type Logger } from 'pino'
import { ValidationError } from '../errors.js'
import { createDaemonLogger } from './logger.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]
/** auto: pretty when stderr is a terminal, JSON lines otherwise */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const
export type LogFormat = typeof LOG_FORMATS[number]

export function logLevel (value: string, field = 'log-level'): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new ValidationError(field, 'one_of', `must be one of ${LOG_LEVELS.join(', ')}`)
  return value as LogLevel
}

export function logFormat (value: string, field = 'log-format'): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(value)) throw new ValidationError(field, 'one_of', `must be one of ${LOG_FORMATS.join(', ')}`)
  return value as LogFormat
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
const LEVEL_COLOURS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '31' }
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component'])

/** One pino JSON line as a person reads it: `12:04:05 WARN  [http] message key=value`. */
export function prettyLine (json: string, colour: boolean): string {
  let o: Record<string, unknown>
  try { o = JSON.parse(json) } catch { return json }
  const level = typeof o.level === 'number' ? o.level : 30
  const name = (LEVEL_NAMES[level] ?? String(level)).padEnd(5)
  const time = new Date(typeof o.time === 'number' ? o.time : Date.now()).toISOString().slice(11, 19)
  const fields = Object.entries(o).filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
  const component = typeof o.component === 'string' ? `[${o.component}] ` : ''
  const head = colour ? `\x1b[${LEVEL_COLOURS[level] ?? '0'}m${name}\x1b[0m` : name
  return `${time} ${head} ${component}${String(o.msg ?? '')}${fields.length > 0 ? '  ' + fields.join(' ') : ''}\n`
}

/**
 * The daemon's logger. JSON lines go to stdout (as before: log collectors read them there; see logger.ts);
 * pretty lines go to stderr, the terminal's channel, coloured when it is a terminal.
 */
export function createLogger (options: { level: LogLevel, format: LogFormat, stderrIsTty?: boolean }): Logger {
  const tty = options.stderrIsTty ?? process.stderr.isTTY === true
  const pretty = options.format === 'pretty' || (options.format === 'auto' && tty)
  if (!pretty) {
    // JSON lines on stdout through the daemon's write-error-proof destination
    const logger = createDaemonLogger()
    logger.level = options.level
    return logger
  }
  return pino({ name: 'hivebench', level: options.level }, { write (line: string) { process.stderr.write(prettyLine(line, tty)) } })
}
