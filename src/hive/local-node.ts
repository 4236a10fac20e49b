import { createSharing, type Sharing } from './sharing.js'
import { loadOrCreateIdentity, type Identity } from '../store/identity.js'
import { openTracker, type Tracker, type TrackerOptions } from '../tracker.js'

export interface LocalNode {
  tracker: Tracker
  identity: Identity
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
    tracker.store.exchange.bindSelf(identity.peerId)
    const sharing = createSharing({ store: tracker.store, privateKey: identity.privateKey, allowlist: options.allowlist, now: options.now })
    return { tracker, identity, sharing, close: () => { tracker.close() } }
  } catch (err) {
    tracker.close()
    throw err
  }
}
