import { writeEnvelopeFile } from '../hive/envelope-file.js'
import { MAX_GOSSIP_BYTES } from '../protocol/index.js'
import { printJson, queryCommand, withLocalNode, type DataDirOptions, type JsonOption } from './common.js'

interface ExportOptions extends DataDirOptions, JsonOption {
  out: string
  snapshot?: boolean
}

export const exportDeltaCommand = queryCommand('export-delta')
  .requiredOption('--out <file>', 'envelope file to write')
  .option('--snapshot', 'all live keys, not only the changed ones')
  .action(async (o: ExportOptions) => {
    await withLocalNode(o, node => {
      // parts within MAX_GOSSIP_BYTES, so the envelopes can be relayed over gossip too (protocol r2.1);
      // the file is written inside the export's transaction: if it fails, the delta stays pending
      const result = node.sharing.export(o.snapshot === true ? 'snapshot' : 'delta', MAX_GOSSIP_BYTES, envelopes => { writeEnvelopeFile(o.out, envelopes) })
      if (o.json === true) {
        printJson(result === null ? { written: false, file: o.out } : { written: true, file: o.out, kind: result.kind, entries: result.entries, envelopes: result.envelopes.length, first_seq: result.firstSeq })
        return
      }
      if (result === null) {
        console.log('nothing changed since the last export: no file written (use --snapshot for all keys)')
        return
      }
      const last = result.firstSeq + result.envelopes.length - 1
      console.log(`wrote ${result.kind} of ${result.entries} keys as ${result.envelopes.length} envelope(s), seq ${result.firstSeq}${last === result.firstSeq ? '' : `..${last}`}, to ${o.out}`)
    })
  })
