import { SingleBar, Presets } from 'cli-progress'
import { readOutcomeFile } from '../ingest/outcome-file.js'
import { printJson, queryCommand, withTracker, type DataDirOptions, type JsonOption } from './common.js'

export const importCommand = queryCommand('import', 'import outcomes from a CSV (header row) or JSON Lines file, all or nothing')
  .argument('<file>', 'CSV or JSON Lines file')
  .addHelpText('after', '\nExample:\n  $ hivebench import results.csv      # header row: task_type,tool,model,outcome,duration_s,...')
  .action(async (file: string, o: DataDirOptions & JsonOption) => {
    const { rows, ignored } = readOutcomeFile(file)
    if (ignored.length > 0) console.error(`ignoring columns that are not outcome fields: ${ignored.join(', ')}`)
    const bar = process.stderr.isTTY ? new SingleBar({ format: 'importing {bar} {value}/{total} rows', stream: process.stderr }, Presets.shades_classic) : null
    bar?.start(rows.length, 0)
    try {
      // One transaction for the whole file: a bad line stores nothing.
      const result = await withTracker(o, t => t.recordBatch(rows.map(r => r.input), {
        lines: rows.map(r => r.line),
        onProgress: done => bar?.update(done)
      }))
      bar?.stop()
      if (o.json === true) return printJson({ file, ...result, ignored_columns: ignored })
      console.log(`imported ${result.recorded} outcomes from ${file}` + (result.duplicates > 0 ? ` (${result.duplicates} duplicate ids counted once)` : ''))
    } finally {
      bar?.stop()
    }
  })
