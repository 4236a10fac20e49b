import { InvalidArgumentError } from 'commander'
import { readEnvelopeFile } from '../hive/envelope-file.js'
import { ruleOf } from '../hive/receive.js'
import { MAX_ENVELOPE_BYTES } from '../protocol/constants.js'
import { command, positiveInt, printJson, withLocalNode, type DataDirOptions, type JsonOption } from './common.js'

interface ImportDeltaOptions extends DataDirOptions, JsonOption {
  now?: number
  maxBytes?: number
}

/** A point in time: Unix epoch milliseconds, or an ISO 8601 date. */
function timeOption (value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isSafeInteger(ms)) throw new InvalidArgumentError('must be Unix epoch milliseconds or an ISO 8601 date')
  return ms
}

/** --max-bytes only lowers R1: an envelope over MAX_ENVELOPE_BYTES stored here could never be served in a sync frame. */
function maxBytesOption (value: string): number {
  const n = positiveInt('--max-bytes')(value)
  if (n > MAX_ENVELOPE_BYTES) throw new InvalidArgumentError(`--max-bytes must be at most ${MAX_ENVELOPE_BYTES} (R1's limit for files and sync)`)
  return n
}

export const importDeltaCommand = command('import-delta')
  .argument('<files...>', 'envelope files written by export-delta')
  .option('--json', 'one JSON verdict per envelope')
  .option('--now <time>', 'judge the envelopes at this time (Unix ms or ISO 8601) instead of the clock; for replaying the protocol\'s test vectors', timeOption)
  .option('--max-bytes <n>', `lower R1's limit per envelope (at most and by default ${MAX_ENVELOPE_BYTES}; 262144 judges as gossip does)`, maxBytesOption)
  .action(async (files: string[], o: ImportDeltaOptions) => {
    const fixedNow = o.now
    const verdicts = await withLocalNode({ dataDir: o.dataDir, now: fixedNow === undefined ? undefined : () => fixedNow }, async node => {
      const out = []
      for (const file of files) {
        for (const [i, bytes] of (await readEnvelopeFile(file)).entries()) {
          out.push({ file, envelope: i + 1, ...node.receiver.receive(bytes, { via: 'file', maxBytes: o.maxBytes }) })
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
