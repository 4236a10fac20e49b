import { createSharing, type Sharing } from './sharing.js'
import { createReceiver, type Receiver, type ReceiverOptions } from './receive.js'
import { loadOrCreateIdentity, type Identity } from '../store/index.js'
import { openTracker, type Tracker, type TrackerOptions } from '../tracker.js'

export interface LocalNode {
  tracker: Tracker
  identity: Identity
  /** set when the database was new but the identity was not: the seq this origin's sequence continues from */
  seqEpoch: number | null
  sharing: Sharing
  /** the receive pipeline: every envelope this node takes in, from gossip, sync or files */
  receiver: Receiver
  close: () => void
}

export type LocalNodeOptions = TrackerOptions & Omit<ReceiverOptions, 'store' | 'now'>

/**
 * The tracker plus this node's identity, the sharing layer and the receive pipeline: everything
 * that works without a network (recording, ranking, exporting and importing signed envelopes).
 * The daemon builds on it.
 */
export async function openLocalNode (options: LocalNodeOptions = {}): Promise<LocalNode> {
  const tracker = openTracker(options)
  try {
    const identity = await loadOrCreateIdentity(tracker.store.dataDir)
    // a new database under an old identity (the database was lost): continue the sequence above
    // anything this origin may have published, or peers would ignore its next exports (R22)
    const seqEpoch = tracker.store.exchange.bindSelf(identity.peerId, identity.created === true ? undefined : (options.now ?? Date.now)())
    const sharing = createSharing({ store: tracker.store, privateKey: identity.privateKey, now: options.now })
    const receiver = createReceiver({ ...options, store: tracker.store })
    return { tracker, identity, seqEpoch, sharing, receiver, close: () => { tracker.close() } }
  } catch (err) {
    tracker.close()
    throw err
  }
}
