import { InvalidArgumentError, Option } from 'commander'
import { SingleBar, Presets } from 'cli-progress'
import { HivebenchError, ValidationError } from '../errors.js'
import { IMPORT_FORMATS, readImport, type ImportFormat } from '../ingest/read-import.js'
import { printJson, queryCommand, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface ImportCliOptions extends DataDirOptions, JsonOption {
  format: ImportFormat
  tool?: string
  model?: string
  taskTypeFrom?: string
  keepTimes?: boolean
  runId?: string
  idColumn?: string
  idFrom?: string
  map: Record<string, string>
}

function mapping (value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=')
  if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError('must be FIELD=COLUMN, e.g. task_type=repo')
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() }
}

export const importCommand = queryCommand('import')
  .argument('<path>', 'a CSV / JSON Lines / JSON file (- = standard input), a Terminal-Bench run directory, or SWE-bench reports')
  .addOption(new Option('--format <format>', 'what the path holds (auto: detected)').choices(IMPORT_FORMATS).default('auto'))
  .option('--tool <tool>', 'the agent: overrides run_metadata.json (Terminal-Bench); required for SWE-bench')
  .option('--model <model>', 'the model: overrides run_metadata.json (Terminal-Bench) or the name in the SWE-bench paths')
  .option('--task-type-from <field>', 'Terminal-Bench: the trial field that is the task type (default: the task id without .easy/.medium/.hard/.base/.base_with_hint)')
  .option('--keep-times', 'Terminal-Bench: date outcomes by their trial start, not the import time (older ones are skipped and counted)')
  .option('--run-id <id>', 'SWE-bench: the run, part of every id (default: from the paths or the summary file name)')
  .option('--id-column <column>', 'tables: the column holding each row\'s id')
  .option('--id-from <columns>', 'tables: comma-separated columns whose values, hashed, are each row\'s id')
  .option('--map <field=column>', 'tables: the column holding an outcome field (repeatable)', mapping, {})
  .addHelpText('after', `
Every import is idempotent when its rows have ids: importing the same data again counts nothing twice.
Terminal-Bench trials and SWE-bench instances always have ids; a table has them from --id-column,
--id-from, an id column, or (benchmark files) a task_id column with the tool and model.
The whole input is one transaction: a bad row stores nothing.`)
  .action(async (path: string, o: ImportCliOptions) => {
    const name = path === '-' ? 'standard input' : path
    const nowMs = Date.now()
    const bar = process.stderr.isTTY ? new SingleBar({ format: 'importing {bar} {value}/{total} rows', stream: process.stderr }, Presets.shades_classic) : null
    const result = await withTracker(o, t => {
      try {
        const { format, rows } = readImport(path, {
          ...o,
          idFrom: o.idFrom?.split(',').map(c => c.trim()).filter(c => c !== ''),
          nowMs,
          retentionDays: t.retentionDays
        })
        bar?.start(rows.rows.length, 0)
        const recorded = t.recordBatch(rows.rows.map(r => r.input), {
          lines: rows.unit === 'line' ? rows.rows.map(r => r.line) : undefined,
          onProgress: done => bar?.update(done)
        })
        return { format, rows, recorded }
      } catch (err) {
        // one line naming the file, the row or line, and the field
        if (err instanceof ValidationError) throw new HivebenchError('VALIDATION', `${name}: ${err.message}`)
        throw err
      } finally {
        bar?.stop()
      }
    })
    const { rows, recorded } = result
    if (rows.ignored.length > 0) console.error(`ignored columns that are not outcome fields: ${rows.ignored.join(', ')}`)
    const notes = [
      result.format,
      rows.ids,
      ...(recorded.duplicates > 0 ? [`${recorded.duplicates} duplicates (already recorded ids) counted once`] : []),
      ...(rows.skipped > 0 ? [`${rows.skipped} skipped: older than the retention window (--keep-times)`] : [])
    ]
    if (o.json === true) return printJson({ file: name, format: result.format, ...recorded, ignored_columns: rows.ignored, skipped: rows.skipped })
    console.log(`imported ${recorded.recorded} outcomes from ${name} (${notes.join('; ')})`)
  })
