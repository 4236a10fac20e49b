import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * Makes a directory's entries durable: after creating, linking or renaming a file, the new name
 * survives a power cut only once the directory itself is synced (litestream's FsyncDir does the
 * same). Platforms that cannot open a directory for syncing (Windows) skip it.
 */
export function fsyncDirectory (dir: string): void {
  let fd: number
  try {
    fd = openSync(dir, 'r')
  } catch {
    return
  }
  try {
    fsyncSync(fd)
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes `bytes` to `path` so that after a crash the file is either absent (or its old self) or
 * complete: a temporary file beside it, synced, renamed into place, and the directory synced.
 */
export function writeFileDurably (path: string, bytes: Uint8Array, mode = 0o644): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  try {
    const fd = openSync(temporary, 'w', mode)
    try {
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, path)
  } catch (err) {
    rmSync(temporary, { force: true })
    throw err
  }
  fsyncDirectory(dirname(path))
}
