import { SingleBar, Presets } from 'cli-progress'
import { readOutcomeFile } from '../ingest/outcome-file.js'
import { command, withTracker, type DataDirOptions } from './common.js'

export const importCommand = command('import')
  .argument('<file>', 'CSV or JSON Lines file')
  .action(async (file: string, o: DataDirOptions) => {
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
      console.log(`imported ${result.recorded} outcomes from ${file}` + (result.duplicates > 0 ? ` (${result.duplicates} duplicate ids counted once)` : ''))
    } finally {
      bar?.stop()
    }
  })
