import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** `--data-dir`, else `$HIVEBENCH_DATA_DIR`, else `~/.hivebench` (README.md, "Quick start"). */
export function resolveDataDir (option?: string): string {
  const fromEnv = process.env.HIVEBENCH_DATA_DIR
  if (option !== undefined && option !== '') return resolve(option)
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv)
  return join(homedir(), '.hivebench')
}

/**
 * Creates the data dir owner-only (0700): it holds the node's private key and raw outcomes
 * with user ids, neither of which other local users should read.
 */
export function ensureDataDir (dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700)
  return dir
}

export function databasePath (dataDir: string): string {
  return join(dataDir, 'hivebench.db')
}
