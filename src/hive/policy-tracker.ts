import { createViewExclusion, readOriginPolicy, type OriginPolicy } from './origin-policy.js'
import { resolveWorkBits } from './work-bits.js'
import { resolveDataDir } from '../store/index.js'
import { openTracker, type StoreTracker, type TrackerOptions } from '../tracker.js'

const NO_ORIGINS: ReadonlySet<number> = new Set()

/**
 * A tracker whose hive ranking applies the data dir's origin policy (and the hive's identity
 * work) to what is stored: every surface that ranks opens the tracker through here.
 */
export function openPolicyTracker (options: TrackerOptions & { allowlist?: ReadonlySet<string>, workBits?: number } = {}): { tracker: StoreTracker, policy: OriginPolicy, workBits: number } {
  const workBits = resolveWorkBits(options.workBits)
  const dataDir = resolveDataDir(options.dataDir)
  const stored = readOriginPolicy(dataDir)
  const policy: OriginPolicy = options.allowlist === undefined ? stored : { ...stored, allow: [...options.allowlist] }
  let exclude = (): ReadonlySet<number> => NO_ORIGINS
  // with a trust list only origins the operator named count: none of them is discounted as new (seniority)
  const rankPolicy = policy.trust === undefined ? options.rankPolicy : { ...options.rankPolicy, seniorityDays: 0 }
  const tracker = openTracker({ ...options, dataDir, rankPolicy, excludeOrigins: () => exclude() })
  exclude = createViewExclusion(tracker.store.db, policy, workBits)
  return { tracker, policy, workBits }
}

