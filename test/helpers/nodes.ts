import { generateKeyPair } from '@libp2p/crypto/keys'
import type { RankPolicy } from '../../src/core/ranking.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createSharing, type Sharing } from '../../src/hive/sharing.js'
import { openTracker, type Tracker } from '../../src/tracker.js'
import { tempDir } from './tmp.js'

export interface TestNode {
  tracker: Tracker
  sharing: Sharing
  peerId: string
  close: () => void
}

/** A tracker with a fresh Ed25519 identity and the sharing layer, on a temp data dir. */
export async function fileNode (options: { now?: () => number, monotonicNow?: () => number, allowlist?: Set<string>, rankPolicy?: Partial<RankPolicy>, retentionDays?: number } = {}): Promise<TestNode> {
  const privateKey = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(privateKey).toString()
  const tracker = openTracker({ dataDir: tempDir(), now: options.now, monotonicNow: options.monotonicNow, rankPolicy: options.rankPolicy, retentionDays: options.retentionDays })
  tracker.store.exchange.bindSelf(peerId)
  const sharing = createSharing({ store: tracker.store, privateKey, allowlist: options.allowlist, now: options.now })
  return { tracker, sharing, peerId, close: () => { tracker.close() } }
}
