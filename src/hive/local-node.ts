import { createSharing, type Sharing } from './sharing.js'
import { createReceiver, type Receiver, type ReceiverOptions } from './receive.js'
import { loadOrCreateIdentity, type Identity } from '../store/index.js'
import { openTracker, type Tracker, type TrackerOptions } from '../tracker.js'

export interface LocalNode {
  tracker: Tracker
  identity: Identity
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
    tracker.store.exchange.bindSelf(identity.peerId)
    const sharing = createSharing({ store: tracker.store, privateKey: identity.privateKey, now: options.now })
    const receiver = createReceiver({ ...options, store: tracker.store })
    return { tracker, identity, sharing, receiver, close: () => { tracker.close() } }
  } catch (err) {
    tracker.close()
    throw err
  }
}
