import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * `<data dir>/daemon.json` tells CLI commands where the running daemon's HTTP API is
 * (`hivebench publish`, `hivebench peers`). Written at start, removed at a clean stop; a stale
 * file (the process is gone) is treated as absent.
 */
export interface DaemonInfo {
  pid: number
  url: string
  peerId: string
}

const fileOf = (dataDir: string): string => join(dataDir, 'daemon.json')

export function writeDaemonFile (dataDir: string, info: DaemonInfo): void {
  writeFileSync(fileOf(dataDir), JSON.stringify(info) + '\n', { mode: 0o600 })
}

export function removeDaemonFile (dataDir: string, pid: number): void {
  if (readDaemonFile(dataDir)?.pid === pid) rmSync(fileOf(dataDir), { force: true })
}

export function readDaemonFile (dataDir: string): DaemonInfo | null {
  try {
    const info = JSON.parse(readFileSync(fileOf(dataDir), 'utf8')) as DaemonInfo
    process.kill(info.pid, 0) // throws when the process is gone
    return info
  } catch {
    return null
  }
}
