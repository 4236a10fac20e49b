import { readOriginPolicy, updateOriginPolicy } from '../hive/origin-policy.js'
import { resolveDataDir } from '../store/data-dir.js'
import { createForget } from '../store/forget.js'
import { command, withTracker, type DataDirOptions } from './common.js'

export const forgetCommand = command('forget', "purge a peer origin's counters and envelopes from this data dir, and never merge it again")
  .argument('<peer id>', 'the origin to forget (as `hivebench peers` lists it)')
  .action(async (peerId: string, o: DataDirOptions) => {
    const dataDir = resolveDataDir(o.dataDir)
    const policy = updateOriginPolicy(dataDir, { deny: [...readOriginPolicy(dataDir).deny ?? [], peerId] })
    const purged = await withTracker(o, tracker => createForget(tracker.store.db)(peerId))
    console.log(`${purged ? 'purged' : 'nothing stored for'} ${peerId}; it is now on the deny list of ${dataDir} (${policy.deny?.length ?? 0} forgotten origins). A running daemon applies the list at its next start.`)
  })
