import { readEnvelopeFile } from '../hive/envelope-file.js'
import { ruleOf } from '../hive/receive.js'
import { command, printJson, withLocalNode, type DataDirOptions, type JsonOption } from './common.js'

export const importDeltaCommand = command('import-delta')
  .argument('<files...>', 'envelope files written by export-delta')
  .option('--json', 'one JSON verdict per envelope')
  .action(async (files: string[], o: DataDirOptions & JsonOption) => {
    const verdicts = await withLocalNode(o, async node => {
      const out = []
      for (const file of files) {
        for (const [i, bytes] of (await readEnvelopeFile(file)).entries()) {
          out.push({ file, envelope: i + 1, ...node.receiver.receive(bytes) })
        }
      }
      return out
    })
    if (o.json === true) printJson(verdicts)
    else {
      for (const v of verdicts) {
        const what = v.verdict === 'accepted'
          ? `accepted: origin ${v.origin} seq ${v.seq}, ${v.keysChanged} keys changed`
          : `${v.verdict} (${ruleOf(v)}): ${v.reason}`
        console.log(`${v.file} #${v.envelope}: ${what}`)
      }
    }
    // Rejected envelopes are someone's error or an attack: make scripts notice.
    if (verdicts.some(v => v.verdict === 'rejected')) process.exitCode = 1
  })
