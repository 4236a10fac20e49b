import { createSharing, type Sharing } from './sharing.js'
import { createReceiver, type Receiver, type ReceiverOptions } from './receive.js'
import type { OriginPolicy } from './origin-policy.js'
import { openPolicyTracker } from './policy-tracker.js'
import { mintSeed } from '../protocol/identity-work.js'
import { loadOrCreateIdentity, type Identity } from '../store/index.js'
import type { StoreTracker, TrackerOptions } from '../tracker.js'

export interface LocalNode {
  tracker: StoreTracker
  identity: Identity
  /** set when the database was new but the identity was not: the seq this origin's sequence continues from */
  seqEpoch: number | null
  sharing: Sharing
  /** the receive pipeline: every envelope this node takes in, from gossip, sync or files */
  receiver: Receiver
  /** the data dir's origin policy (origin-policy.ts) as this node applies it */
  policy: OriginPolicy
  close: () => void
}

export type LocalNodeOptions = TrackerOptions & Omit<ReceiverOptions, 'store' | 'now'>

/**
/**
 * The tracker plus this node's identity, the sharing layer and the receive pipeline: everything
 * that works without a network (recording, ranking, exporting and importing signed envelopes).
 * The daemon builds on it. The data dir's origin policy applies to every path through here: what
 * is merged (R9: `allowlist` given here, else the policy's; the policy's forgotten origins) and
 * what the hive ranking counts of what is stored.
 */
export async function openLocalNode (options: LocalNodeOptions = {}): Promise<LocalNode> {
  const { tracker, policy, workBits } = openPolicyTracker(options)
  try {
    // a new identity is minted with the hive's work (R24), so peers accept its envelopes
    const identity = await loadOrCreateIdentity(tracker.store.dataDir, { newSeed: () => mintSeed(workBits).seed })
    // a new database under an old identity (the database was lost): continue the sequence above
    // anything this origin may have published, or peers would ignore its next exports (R22)
    const seqEpoch = tracker.store.exchange.bindSelf(identity.peerId, identity.created === true ? undefined : (options.now ?? Date.now)())
    const sharing = createSharing({ store: tracker.store, privateKey: identity.privateKey, now: options.now })
    const receiver = createReceiver({
      ...options,
      store: tracker.store,
      allowlist: policy.allow === undefined ? undefined : new Set(policy.allow),
      denylist: new Set(policy.deny),
      workBits
    })
    return { tracker, identity, seqEpoch, sharing, receiver, policy, close: () => { tracker.close() } }
  } catch (err) {
    tracker.close()
    throw err
  }
}
