import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { OUTCOME_FIELDS } from '../core/outcome.js'
import { errorMessage, HivebenchError, ValidationError } from '../errors.js'

/** Column names accepted for a field besides its own (README.md, "Recording outcomes": `import`). */
const ALIASES: Record<string, string> = { completion_time_s: 'duration_s' }
const NUMERIC = new Set(['duration_s', 'cost_usd'])
const BOOLEAN = new Set(['success', 'offloaded'])

export interface OutcomeFileRows {
  /** the rows as outcome inputs, each with the 1-based line it starts on */
  rows: Array<{ line: number, input: Record<string, unknown> }>
  /** columns / keys that are not outcome fields (e.g. `task_id` in the SWE-bench file): ignored */
  ignored: string[]
}

/**
 * Reads a CSV (with a header row) or JSON Lines file of outcomes. CSV cells are text, so they
 * are converted here: empty = missing, numbers and booleans parsed (a cell that does not parse
 * is passed on as text, so the validator names the field and its rule).
 */
export function readOutcomeFile (path: string): OutcomeFileRows {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (err) {
    throw new HivebenchError('FILE', `cannot read ${path}: ${errorMessage(err)}`)
  }
  let text: string
  try {
    // fatal: a lossy decode would turn bad bytes into U+FFFD and record altered labels
    text = strictUtf8.decode(bytes)
  } catch {
    const line = bytes.subarray(0, firstInvalidUtf8(bytes)).toString('latin1').split('\n').length
    throw new ValidationError('(file)', 'utf8', 'not valid UTF-8', { kind: 'line', index: line })
  }
  const firstChar = text.trimStart()[0]
  return firstChar === '{' ? readJsonLines(text) : readCsv(text)
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

function normaliseKeys (record: Record<string, unknown>, ignored: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [rawKey, value] of Object.entries(record)) {
    const key = ALIASES[rawKey] ?? rawKey
    if (!(OUTCOME_FIELDS as readonly string[]).includes(key)) { ignored.add(rawKey); continue }
    out[key] = value
  }
  return out
}

function readJsonLines (text: string): OutcomeFileRows {
  const ignored = new Set<string>()
  const rows: OutcomeFileRows['rows'] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '') return
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      throw new ValidationError('(line)', 'json', 'is not valid JSON', { kind: 'line', index: i + 1 })
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationError('(line)', 'type', 'must be a JSON object', { kind: 'line', index: i + 1 })
    }
    rows.push({ line: i + 1, input: normaliseKeys(value as Record<string, unknown>, ignored) })
  })
  return { rows, ignored: [...ignored] }
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

function readCsv (text: string): OutcomeFileRows {
  let records: Array<{ record: Record<string, string>, info: { lines: number } }>
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, info: true, bom: true }) as typeof records
  } catch (err) {
    const line = (err as { lines?: number }).lines
    throw new ValidationError('(csv)', 'csv', errorMessage(err), line === undefined ? undefined : { kind: 'line', index: line })
  }
  const ignored = new Set<string>()
  const rows = records.map(({ record, info }) => {
    const input = normaliseKeys(record, ignored)
    for (const [k, v] of Object.entries(input)) {
      const cell = csvCell(k, v as string)
      if (cell === undefined) delete input[k]
      else input[k] = cell
    }
    return { line: info.lines, input }
  })
  return { rows, ignored: [...ignored] }
}
