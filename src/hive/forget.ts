import { readOriginPolicy, updateOriginPolicy } from './origin-policy.js'
import { openPolicyTracker } from './policy-tracker.js'
import { resolveDataDir } from '../store/data-dir.js'
import { createForget } from '../store/forget.js'

export interface ForgetReport {
  dataDir: string
  /** whether anything of the origin was stored */
  purged: boolean
  /** origins on the data dir's deny list, this one included */
  denied: number
}

/**
 * Forgets a peer origin in a data dir: it goes on the deny list first (so nothing of it is merged
 * again, whatever path it arrives by), then its counters and envelopes are purged.
 */
export function forgetOrigin (options: { dataDir?: string }, peerId: string): ForgetReport {
  const dataDir = resolveDataDir(options.dataDir)
  const policy = updateOriginPolicy(dataDir, { deny: [...readOriginPolicy(dataDir).deny ?? [], peerId] })
  const { tracker } = openPolicyTracker({ dataDir })
  try {
    return { dataDir, purged: createForget(tracker.store.db)(peerId), denied: policy.deny?.length ?? 0 }
  } finally {
    tracker.close()
  }
}
