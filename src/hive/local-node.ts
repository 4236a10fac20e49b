import { createSharing, type Sharing } from './sharing.js'
import { loadOrCreateIdentity, type Identity } from '../store/identity.js'
import { resolveWorkBits } from './work-bits.js'
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
export async function openLocalNode (options: TrackerOptions & { allowlist?: ReadonlySet<string>, workBits?: number } = {}): Promise<LocalNode> {
  const workBits = resolveWorkBits(options.workBits)
  const tracker = openTracker(options)
  try {
    // a new identity is minted with the hive's work (R24), so peers accept its envelopes
    const identity = await loadOrCreateIdentity(tracker.store.dataDir, { workBits })
    tracker.store.exchange.bindSelf(identity.peerId)
    const sharing = createSharing({ store: tracker.store, privateKey: identity.privateKey, allowlist: options.allowlist, workBits, now: options.now })
    return { tracker, identity, sharing, close: () => { tracker.close() } }
  } catch (err) {
    tracker.close()
    throw err
  }
}
