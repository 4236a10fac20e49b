import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { RankPolicy } from '../../src/core/ranking.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createSharing, type Sharing } from '../../src/hive/sharing.js'
import { createReceiver, type Receiver, type ReceiverOptions } from '../../src/hive/receive.js'
import { openTracker, type StoreTracker } from '../../src/tracker.js'
import { tempDir } from './tmp.js'

export interface TestNode {
  tracker: StoreTracker
  sharing: Sharing
  receiver: Receiver
  peerId: string
  close: () => void
}

/** A tracker with a fresh Ed25519 identity and the sharing layer, on a temp data dir. */
export async function fileNode (options: { now?: () => number, monotonicNow?: () => number, allowlist?: Set<string>, rankPolicy?: Partial<RankPolicy>, retentionDays?: number, rejectLimits?: ReceiverOptions['rejectLimits'], originBounds?: ReceiverOptions['originBounds'], privateKey?: Ed25519PrivateKey } = {}): Promise<TestNode> {
  const privateKey = options.privateKey ?? await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(privateKey).toString()
  const tracker = openTracker({ dataDir: tempDir(), now: options.now, monotonicNow: options.monotonicNow, rankPolicy: options.rankPolicy, retentionDays: options.retentionDays })
  tracker.store.exchange.bindSelf(peerId)
  const sharing = createSharing({ store: tracker.store, privateKey, now: options.now })
  const receiver = createReceiver({ store: tracker.store, allowlist: options.allowlist, rejectLimits: options.rejectLimits, originBounds: options.originBounds, now: options.now })
  return { tracker, sharing, receiver, peerId, close: () => { tracker.close() } }
}
