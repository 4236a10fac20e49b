import { writeEnvelopeFile } from '../protocol/envelope-file.js'
import { command, withLocalNode, type DataDirOptions } from './common.js'

interface ExportOptions extends DataDirOptions {
  out: string
  snapshot?: boolean
}

export const exportDeltaCommand = command('export-delta', 'write the signed delta (keys changed since the last export) or a snapshot to a file')
  .requiredOption('--out <file>', 'envelope file to write')
  .option('--snapshot', 'all live keys, not only the changed ones')
  .action(async (o: ExportOptions) => {
    await withLocalNode(o, async node => {
      const result = node.sharing.export(o.snapshot === true ? 'snapshot' : 'delta')
      if (result === null) {
        console.log('nothing changed since the last export: no file written (use --snapshot for all keys)')
        return
      }
      await writeEnvelopeFile(o.out, result.envelopes)
      const last = result.firstSeq + result.envelopes.length - 1
      console.log(`wrote ${result.kind} of ${result.entries} keys as ${result.envelopes.length} envelope(s), seq ${result.firstSeq}${last === result.firstSeq ? '' : `..${last}`}, to ${o.out}`)
    })
  })
