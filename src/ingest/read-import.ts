import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { HivebenchError } from '../errors.js'
import type { ImportRows } from './import-rows.js'
import { readOutcomeFile, type TableOptions } from './outcome-file.js'
import { readSweBench, repositoryOf, type SweBenchOptions } from './swe-bench.js'
import { readTerminalBenchRun, type TerminalBenchOptions } from './terminal-bench.js'

export const IMPORT_FORMATS = ['auto', 'table', 'terminal-bench', 'swe-bench'] as const
export type ImportFormat = typeof IMPORT_FORMATS[number]

export interface ImportOptions extends TableOptions, Omit<TerminalBenchOptions, 'tool' | 'model'>, SweBenchOptions {
  format?: ImportFormat
}

/**
 * What a path holds: a directory with results.json is a Terminal-Bench run, any other directory
 * SWE-bench evaluation logs; a JSON object with the SWE-bench summary's id lists, or keyed by
 * instance ids (a report.json), is SWE-bench; anything else is a table of outcomes (CSV, JSON
 * Lines or a JSON array).
 */
export function detectFormat (path: string): Exclude<ImportFormat, 'auto'> {
  if (path === '-') return 'table'
  if (!existsSync(path)) throw new HivebenchError('FILE', `cannot read ${path}: no such file or directory`)
  if (statSync(path).isDirectory()) return existsSync(join(path, 'results.json')) ? 'terminal-bench' : 'swe-bench'
  if (!path.endsWith('.json')) return 'table'
  let doc: unknown
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return 'table' // JSON Lines named .json, or broken: the table reader names the line
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return 'table'
  const o = doc as Record<string, unknown>
  if (Array.isArray(o.resolved_ids) || Array.isArray(o.unresolved_ids)) return 'swe-bench'
  // a per-instance report: keyed by instance ids (owner__repo-number)
  const keys = Object.keys(o)
  return keys.length > 0 && keys.every(k => repositoryOf(k) !== null) ? 'swe-bench' : 'table'
}

/** Reads any supported input as outcome rows (nothing is recorded here). */
export function readImport (path: string, o: ImportOptions): { format: Exclude<ImportFormat, 'auto'>, rows: ImportRows } {
  const format = o.format === undefined || o.format === 'auto' ? detectFormat(path) : o.format
  switch (format) {
    case 'terminal-bench': return { format, rows: readTerminalBenchRun(path, o) }
    case 'swe-bench': return { format, rows: readSweBench(path, o) }
    case 'table': return { format, rows: readOutcomeFile(path, o) }
  }
}
