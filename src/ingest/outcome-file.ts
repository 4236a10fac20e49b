import { parse } from 'csv-parse/sync'
import { OUTCOME_FIELDS } from '../core/outcome.js'
import { ValidationError } from '../errors.js'
import { hashId, parseJson, readInput, type ImportRows } from './import-rows.js'

/** Column names accepted for a field besides its own (DESIGN section 6: `import`). */
const ALIASES: Record<string, string> = { completion_time_s: 'duration_s' }
const NUMERIC = new Set(['duration_s', 'cost_usd'])
const BOOLEAN = new Set(['success', 'offloaded'])

/** How the columns of a CSV / JSON Lines / JSON file become outcome fields and ids. */
export interface TableOptions {
  /** field -> the column that holds it (`--map task_type=repo`) */
  map?: Record<string, string>
  /** the column whose value is each row's id (`--id-column`) */
  idColumn?: string
  /** columns whose values, hashed, are each row's id (`--id-from`) */
  idFrom?: string[]
}

/** The rows of an outcome file as outcome inputs (see ImportRows). */
export type OutcomeFileRows = ImportRows

/**
 * Reads a CSV (with a header row), JSON Lines or JSON array file of outcomes (`-`: standard
 * input). CSV cells are text, so they are converted here: empty = missing, numbers and
 * booleans parsed (a cell that does not parse is passed on as text, so the validator names the
 * field and its rule). Ids: `--id-column`, `--id-from`, else an `id` column, else (benchmark
 * files) a `task_id` column with the tool and the model; a file without any counts again when
 * imported again, and the summary says so.
 */
export function readOutcomeFile (path: string, options: TableOptions = {}): ImportRows {
  const bytes = readInput(path)
  let text: string
  try {
    // fatal: a lossy decode would turn bad bytes into U+FFFD and record altered labels
    text = strictUtf8.decode(bytes)
  } catch {
    const line = bytes.subarray(0, firstInvalidUtf8(bytes)).toString('latin1').split('\n').length
    throw new ValidationError('(file)', 'utf8', 'not valid UTF-8', { kind: 'line', index: line })
  }
  const firstChar = text.trimStart()[0]
  const { records, unit } = firstChar === '[' ? readJsonArray(text) : firstChar === '{' ? readJsonLines(text) : readCsv(text)
  return toRows(records, unit, options, firstChar !== '[' && firstChar !== '{')
}

interface RawRecord { line: number, record: Record<string, unknown> }

function toRows (records: RawRecord[], unit: 'line' | 'row', options: TableOptions, csv: boolean): ImportRows {
  const columnOf = new Map(Object.entries(options.map ?? {}))
  for (const field of columnOf.keys()) {
    if (!(OUTCOME_FIELDS as readonly string[]).includes(field)) throw new ValidationError('--map', 'unknown_field', `${field} is not an outcome field (known: ${OUTCOME_FIELDS.join(', ')})`)
  }
  const fieldOf = new Map([...columnOf].map(([field, column]) => [column, field]))
  const columns = new Set(records.flatMap(r => Object.keys(r.record)))
  for (const column of [...columnOf.values(), ...(options.idColumn === undefined ? [] : [options.idColumn]), ...(options.idFrom ?? [])]) {
    if (records.length > 0 && !columns.has(column)) throw new ValidationError('(columns)', 'missing', `no column "${column}" (columns: ${[...columns].join(', ')})`)
  }
  const byTaskId = options.idColumn === undefined && options.idFrom === undefined && !columnOf.has('id') && !columns.has('id') && columns.has('task_id')
  const idColumns = new Set([options.idColumn, ...(options.idFrom ?? []), byTaskId ? 'task_id' : undefined].filter(c => c !== undefined))
  const ignored = new Set<string>()
  const rows = records.map(({ line, record }) => {
    const input: Record<string, unknown> = {}
    for (const [column, raw] of Object.entries(record)) {
      // a mapped column stands for its field; a column named like a mapped field is left out
      const field = fieldOf.get(column) ?? (columnOf.has(column) ? undefined : ALIASES[column] ?? column)
      if (field === undefined || !(OUTCOME_FIELDS as readonly string[]).includes(field)) {
        if (!idColumns.has(column)) ignored.add(column)
        continue
      }
      const value = csv ? csvCell(field, raw as string) : raw
      if (value !== undefined) input[field] = value
    }
    if (options.idColumn !== undefined) {
      const id = record[options.idColumn]
      input.id = id === undefined || id === null || id === '' ? id : String(id)
    } else if (options.idFrom !== undefined) {
      input.id = hashId(options.idFrom.map(c => record[c]))
    } else if (byTaskId) {
      input.id = hashId([record.task_id, input.tool, input.model ?? ''])
    }
    return { line, input }
  })
  const ids = options.idColumn !== undefined
    ? `ids from column ${options.idColumn}`
    : options.idFrom !== undefined
      ? `ids hashed from ${options.idFrom.join(', ')}`
      : byTaskId
        ? 'ids hashed from task_id, tool and model'
        : columns.has('id') || columnOf.has('id') ? 'ids from the id column' : 'no ids: importing this file again counts its rows again (give --id-column or --id-from)'
  return { rows, unit, ignored: [...ignored], skipped: 0, ids }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Byte offset of the first byte that does not decode (for the line number of the error). */
function firstInvalidUtf8 (bytes: Buffer): number {
  let lo = 0
  let hi = bytes.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    // a fresh decoder per probe: streaming mode keeps state, and an incomplete tail is not an error
    try { new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true }); lo = mid + 1 } catch { hi = mid }
  }
  return Math.max(0, lo - 1)
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)

function readJsonArray (text: string): { records: RawRecord[], unit: 'row' } {
  const value = parseJson(text, 'the file')
  if (!Array.isArray(value)) throw new ValidationError('(file)', 'type', 'must be a JSON array of outcome objects')
  return {
    unit: 'row',
    records: value.map((item, i) => {
      if (!isObject(item)) throw new ValidationError('(item)', 'type', 'must be a JSON object', { kind: 'row', index: i + 1 })
      return { line: i + 1, record: item }
    })
  }
}

function readJsonLines (text: string): { records: RawRecord[], unit: 'line' } {
  const records: RawRecord[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '') return
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      throw new ValidationError('(line)', 'json', 'is not valid JSON', { kind: 'line', index: i + 1 })
    }
    if (!isObject(value)) throw new ValidationError('(line)', 'type', 'must be a JSON object', { kind: 'line', index: i + 1 })
    records.push({ line: i + 1, record: value })
  })
  return { records, unit: 'line' }
}

function csvCell (field: string, cell: string): unknown {
  const value = cell.trim()
  if (value === '') return undefined
  if (NUMERIC.has(field)) {
    const n = Number(value)
    return Number.isFinite(n) ? n : value
  }
  if (BOOLEAN.has(field)) {
    if (/^(true|1|yes)$/i.test(value)) return true
    if (/^(false|0|no)$/i.test(value)) return false
  }
  return cell
}

function readCsv (text: string): { records: RawRecord[], unit: 'line' } {
  let records: Array<{ record: Record<string, string>, info: { lines: number } }>
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, info: true, bom: true }) as typeof records
  } catch (err) {
    const line = (err as { lines?: number }).lines
    throw new ValidationError('(csv)', 'csv', (err as Error).message, line === undefined ? undefined : { kind: 'line', index: line })
  }
  return { records: records.map(({ record, info }) => ({ line: info.lines, record })), unit: 'line' }
}
