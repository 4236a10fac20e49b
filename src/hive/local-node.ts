import { createSharing, type Sharing } from './sharing.js'
import type { OriginPolicy } from './origin-policy.js'
import { openPolicyTracker } from './policy-tracker.js'
import { loadOrCreateIdentity, type Identity } from '../store/identity.js'
import type { StoreTracker, TrackerOptions } from '../tracker.js'

export interface LocalNode {
  tracker: StoreTracker
  identity: Identity
  /** set when the database was new but the identity was not: the seq this origin's sequence continues from */
  seqEpoch: number | null
  sharing: Sharing
  /** the data dir's origin policy (origin-policy.ts) as this node applies it */
  policy: OriginPolicy
  close: () => void
}

/**
 * The tracker plus this node's identity and the sharing layer: everything that works without a
 * network (recording, ranking, exporting and importing signed envelopes). The daemon builds on it.
 * The data dir's origin policy applies to every path through here: what is merged (R9) and what
 * the hive ranking counts of what is stored.
 */
export async function openLocalNode (options: TrackerOptions & { allowlist?: ReadonlySet<string>, workBits?: number } = {}): Promise<LocalNode> {
  const { tracker, policy, workBits } = openPolicyTracker(options)
  try {
    // a new identity is minted with the hive's work (R24), so peers accept its envelopes
    const identity = await loadOrCreateIdentity(tracker.store.dataDir, { workBits })
    // a new database under an old identity (the database was lost): continue the sequence above
    // anything this origin may have published, or peers would ignore its next exports (R22)
    const seqEpoch = tracker.store.exchange.bindSelf(identity.peerId, identity.created === true ? undefined : (options.now ?? Date.now)())
    const sharing = createSharing({
      store: tracker.store,
      privateKey: identity.privateKey,
      allowlist: policy.allow === undefined ? undefined : new Set(policy.allow),
      denylist: new Set(policy.deny),
      workBits,
      now: options.now
    })
    return { tracker, identity, seqEpoch, sharing, policy, close: () => { tracker.close() } }
  } catch (err) {
    tracker.close()
    throw err
  }
}
