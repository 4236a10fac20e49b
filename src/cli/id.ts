import { DEFAULT_ID_WORK_BITS } from '../core/limits.js'
import { mintHint, WORK_BITS_ENV } from '../hive/work-bits.js'
import { nonNegativeInt, printJson, queryCommand, withLocalNode, type DataDirOptions, type JsonOption } from './common.js'

interface IdOptions extends DataDirOptions, JsonOption {
  mint?: boolean
  idWorkBits?: number
}

export const idCommand = queryCommand('id')
  .option('--mint', 're-key this data dir when its identity lacks the hive\'s identity work (R24): a new peer id and seq epoch; the old key is kept as identity.key.<old id>.bak')
  .option('--id-work-bits <n>', `the hive's identity work (default $${WORK_BITS_ENV} or ${DEFAULT_ID_WORK_BITS})`, nonNegativeInt('--id-work-bits'))
  .action(async (o: IdOptions) => {
    if (o.mint === true) {
      const { mintIdentity } = await import('../hive/mint-identity.js')
      const r = await mintIdentity({ dataDir: o.dataDir, workBits: o.idWorkBits })
      if (o.json === true) printJson({ peer_id: r.peerId, previous_peer_id: r.previousPeerId, minted: r.minted, work_bits: r.work, hive_work_bits: r.workBits, seq_epoch: r.seqEpoch ?? null, backup: r.backup ?? null, seconds: r.seconds ?? null })
      else if (!r.minted) console.log(`${r.peerId} already carries ${r.work} bits of work (the hive requires ${r.workBits}): nothing to do`)
      else {
        console.log(r.peerId)
        console.error(`re-keyed ${r.dataDir}: ${r.previousPeerId} -> ${r.peerId} (${r.work} bits, ${r.tries ?? 0} keys in ${(r.seconds ?? 0).toFixed(1)} s); seqs continue from ${r.seqEpoch ?? 0}; old key kept as ${r.backup ?? '-'}. ` +
          'Peers see a new origin from its next snapshot (the daemon sends one at start); peers without the rule (R24 off) count the old origin too until they `hivebench forget` it.')
      }
      return
    }
    const [{ identityWork }, { resolveWorkBits }] = await Promise.all([import('../protocol/identity-work.js'), import('../hive/work-bits.js')])
    await withLocalNode({ ...o, workBits: o.idWorkBits }, node => {
      const bits = resolveWorkBits(o.idWorkBits)
      const work = identityWork(node.identity.privateKey.publicKey.raw)
      if (o.json === true) printJson({ peer_id: node.identity.peerId, work_bits: work, hive_work_bits: bits })
      else console.log(node.identity.peerId)
      if (work < bits) console.error(mintHint(work, bits))
    })
  })
