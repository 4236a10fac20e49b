import Database from 'better-sqlite3'
import { errorMessage, StateError } from '../errors.js'
import { addHistBlobs, combineHistBlobs, decodeHist, encodeHist } from '../core/histogram.js'
import { migrate, SCHEMA_VERSION } from './migrations.js'

export type Db = Database.Database

/**
 * SQL functions over histogram blobs, so counter upserts stay single statements:
 * hist_add (sum), hist_max (element-wise max, the CRDT merge) and the aggregate hist_sum.
 */
function registerHistogramFunctions (db: Db): void {
  const options = { deterministic: true, directOnly: true }
  db.function('hist_add', options, (a: unknown, b: unknown) => addHistBlobs(a as Buffer | null, b as Buffer | null))
  db.function('hist_max', options, (a: unknown, b: unknown) => combineHistBlobs(a as Buffer | null, b as Buffer | null, Math.max))
  db.aggregate('hist_sum', {
    ...options,
    start: () => new Map<number, number>(),
    step: (acc: Map<number, number>, blob: unknown) => { decodeHist(blob as Buffer | null, acc) },
    result: (acc: Map<number, number>) => encodeHist(acc)
  })
}

/** Opens (creating if needed) the database with WAL, a busy timeout and the current schema. */
export function openDatabase (path: string, options: { verify?: boolean } = {}): Db {
  let db: Db
  try {
    db = new Database(path)
  } catch (err) {
    throw new StateError('DB_OPEN', `cannot open database ${path}: ${errorMessage(err)}`, { cause: err })
  }
  try {
    // WAL lets the CLI read (and record) while the daemon writes; NORMAL sync is crash-safe in
    // WAL mode (a power cut may lose the last commits, never corrupt the file).
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    // 64 MiB page cache: the counter and rollup pages stay resident while raw outcomes stream past.
    db.pragma('cache_size = -65536')
    db.pragma('foreign_keys = ON')
    if (options.verify === true) verifyIntegrity(db, path)
    registerHistogramFunctions(db)
    migrate(db)
  } catch (err) {
    db.close()
    if (err instanceof StateError) throw err
    if ((err as { code?: string }).code === 'SQLITE_CORRUPT' || (err as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new StateError('DB_CORRUPT', `database ${path} is damaged: ${errorMessage(err)}. ${DAMAGED_ADVICE}`, { cause: err })
    }
    throw new StateError('DB_INIT', `cannot initialise database ${path}: ${errorMessage(err)}`, { cause: err })
  }
  return db
}

/**
 * Opens an existing database for reading only: no write lock is ever taken, so a query runs
 * while the daemon writes. Returns null when that is not possible (no database yet, or a schema
 * this code must first migrate): the caller then opens it for writing once.
 */
export function openDatabaseReadOnly (path: string): Db | null {
  let db: Db
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
  } catch {
    return null
  }
  try {
    db.pragma('busy_timeout = 5000')
    db.pragma('cache_size = -65536')
    if (db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION) {
      db.close()
      return null
    }
    registerHistogramFunctions(db)
  } catch (err) {
    db.close()
    throw new StateError('DB_OPEN', `cannot read database ${path}: ${errorMessage(err)}`, { cause: err })
  }
  return db
}

/**
 * What to do with a damaged database. Starting empty under the same identity would reuse
 * sequence numbers peers already hold (they would ignore the new envelopes), so a fresh start
 * means a fresh data dir: a new identity, a new origin.
 */
const DAMAGED_ADVICE = 'Restore it from a backup, or start over in a new data dir (a new identity: keeping identity.key with an empty database would reuse sequence numbers peers already hold).'

/**
 * Refuses a damaged database: a node must not spread counters read from a corrupt file to its
 * hive. quick_check reads every page (seconds for gigabytes), so the daemon runs it at start
 * and the short-lived CLI commands do not.
 */
function verifyIntegrity (db: Db, path: string): void {
  let problems: string[]
  try {
    problems = (db.pragma('quick_check') as Array<{ quick_check: string }>).map(r => r.quick_check)
  } catch (err) {
    throw new StateError('DB_CORRUPT', `database ${path} cannot be checked: ${errorMessage(err)}. ${DAMAGED_ADVICE}`, { cause: err })
  }
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new StateError('DB_CORRUPT', `database ${path} is damaged (${problems.slice(0, 3).join('; ')}). ${DAMAGED_ADVICE}`)
  }
}

/** A better-sqlite3 transaction that takes the write lock up front (no upgrade deadlocks). */
export function writeTransaction<A extends unknown[], R> (db: Db, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn)
  return (...args: A) => tx.immediate(...args)
}
