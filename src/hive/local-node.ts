import { createSharing, type Sharing } from './sharing.js'
import { loadOrCreateIdentity, type Identity } from '../store/identity.js'
import { openTracker, type StoreTracker, type TrackerOptions } from '../tracker.js'

export interface LocalNode {
  tracker: StoreTracker
  identity: Identity
  /** set when the database was new but the identity was not: the seq this origin's sequence continues from */
  seqEpoch: number | null
  sharing: Sharing
  close: () => void
}

/**
 * The tracker plus this node's identity and the sharing layer: everything that works without a
 * network (recording, ranking, exporting and importing signed envelopes). The daemon builds on it.
 */
export async function openLocalNode (options: TrackerOptions & { allowlist?: ReadonlySet<string> } = {}): Promise<LocalNode> {
  const tracker = openTracker(options)
  try {
    const identity = await loadOrCreateIdentity(tracker.store.dataDir)
    // a new database under an old identity (the database was lost): continue the sequence above
    // anything this origin may have published, or peers would ignore its next exports (R22)
    const seqEpoch = tracker.store.exchange.bindSelf(identity.peerId, identity.created === true ? undefined : (options.now ?? Date.now)())
    const sharing = createSharing({ store: tracker.store, privateKey: identity.privateKey, allowlist: options.allowlist, now: options.now })
    return { tracker, identity, seqEpoch, sharing, close: () => { tracker.close() } }
  } catch (err) {
    tracker.close()
    throw err
  }
}
