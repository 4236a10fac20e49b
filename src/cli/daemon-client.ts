import { existsSync, readFileSync } from 'node:fs'
import { HivebenchError } from '../errors.js'
import { httpTokenPath } from '../http/auth.js'
import { readDaemonFile, type DaemonInfo } from '../hive/daemon-file.js'
import { resolveDataDir } from '../tracker.js'

/** The running daemon of a data dir, or null when none runs. */
export function findDaemon (dataDir: string | undefined): DaemonInfo | null {
  return readDaemonFile(resolveDataDir(dataDir))
}

/** The daemon answered with an error status: the request reached it (unlike DAEMON_UNREACHABLE). */
export class DaemonAnswerError extends HivebenchError {
  constructor (readonly status: number, readonly body: unknown, message: string) {
    super('DAEMON_ERROR', message)
  }
}

/**
 * Calls the running daemon's HTTP API (with the data dir's bearer token when there is one).
 * Throws NO_DAEMON when none runs, DAEMON_UNREACHABLE when it does not answer (callers that can
 * do the work themselves fall back on these two), DaemonAnswerError when it answers an error.
 */
export async function callDaemon (dataDir: string | undefined, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const dir = resolveDataDir(dataDir)
  const daemon = readDaemonFile(dir)
  if (daemon === null) throw new HivebenchError('NO_DAEMON', `no hivebench daemon is running for ${dir} (start one with: hivebench start --data-dir ${dir})`)
  const tokenFile = httpTokenPath(dir)
  const headers: Record<string, string> = existsSync(tokenFile) ? { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` } : {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  let response: Response
  let answer: unknown
  try {
    response = await fetch(`${daemon.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) })
    answer = await response.json()
  } catch (err) {
    throw new HivebenchError('DAEMON_UNREACHABLE', `the daemon at ${daemon.url} does not answer: ${(err as Error).message}`)
  }
  if (!response.ok) {
    const message = (answer as { error?: { message?: string } }).error?.message ?? JSON.stringify(answer)
    throw new DaemonAnswerError(response.status, answer, `the daemon answered ${response.status}: ${message}`)
  }
  return answer
}
