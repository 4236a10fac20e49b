import { existsSync, readFileSync } from 'node:fs'
import { errorMessage, HivebenchError } from '../errors.js'
import { httpTokenPath } from '../http/auth.js'
import { readDaemonFile, type DaemonInfo } from '../hive/daemon-file.js'
import { resolveDataDir } from '../store/index.js'

/** The running daemon of a data dir, or null when none runs. */
export function findDaemon (dataDir: string | undefined): DaemonInfo | null {
  return readDaemonFile(resolveDataDir(dataDir))
}

/** Calls the running daemon's HTTP API (with the data dir's bearer token when there is one). */
export async function callDaemon (dataDir: string | undefined, method: 'GET' | 'POST', path: string): Promise<unknown> {
  const dir = resolveDataDir(dataDir)
  const daemon = readDaemonFile(dir)
  if (daemon === null) throw new HivebenchError('NO_DAEMON', `no hivebench daemon is running for ${dir} (start one with: hivebench start --data-dir ${dir})`)
  const tokenFile = httpTokenPath(dir)
  const headers: Record<string, string> = existsSync(tokenFile) ? { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` } : {}
  let response: Response
  try {
    response = await fetch(`${daemon.url}${path}`, { method, headers, signal: AbortSignal.timeout(30_000) })
  } catch (err) {
    throw new HivebenchError('DAEMON_UNREACHABLE', `the daemon at ${daemon.url} does not answer: ${errorMessage(err)}`)
  }
  const body = await response.json() as { error?: { message?: string } }
  if (!response.ok) throw new HivebenchError('DAEMON_ERROR', `the daemon answered ${response.status}: ${body.error?.message ?? JSON.stringify(body)}`)
  return body
}
