import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { HivebenchError } from '../errors.js'

/** What every importer hands the tracker: outcome inputs, each with where it came from. */
export interface ImportRows {
  /** `line`: the 1-based line of a text file (CSV, JSON Lines); else the 1-based item */
  rows: Array<{ line: number, input: Record<string, unknown> }>
  /** how a line is named in errors: 'line' for text files, 'row' for items of a JSON document */
  unit: 'line' | 'row'
  /** columns / keys that are not outcome fields and were left out */
  ignored: string[]
  /** rows left out on purpose, e.g. outside the retention window with --keep-times */
  skipped: number
  /** one phrase on where the ids come from (the summary line says it) */
  ids: string
}

/** A stable id from several values (`--id-from`): the same values always give the same id. */
export function hashId (values: readonly unknown[]): string {
  return 'h:' + createHash('sha256').update(JSON.stringify(values.map(v => v ?? null))).digest('hex').slice(0, 32)
}

/** A file's bytes, `-` = standard input; an unreadable file is one line naming it. */
export function readInput (path: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : path)
  } catch (err) {
    throw new HivebenchError('FILE', `cannot read ${path === '-' ? 'standard input' : path}: ${(err as Error).message}`)
  }
}

/** A JSON document, or one line naming the file and where it breaks. */
export function parseJson (text: string, name: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new HivebenchError('FILE', `${name}: not valid JSON (${(err as Error).message})`)
  }
}
