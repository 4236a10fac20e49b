import { decodeSyncRequest, encodeSyncRequest, inRanges, toRanges, type OriginDigest } from '../protocol/sync-digest.js'
import type { Exchange } from '../store/index.js'
import { SYNC } from '../protocol/frames.js'

/**
 * Sync (protocol/README.md, "Sync"): a peer sends what it holds per origin; we
 * answer with every stored envelope (newest snapshot and the deltas after it, as received) it
 * lacks. Verification is the requester's: it runs every envelope through the same validation
 * as gossip, so a relaying peer can neither forge nor alter anything.
 */
export function syncRequestOf (exchange: Exchange, hive: string): Uint8Array {
  const digests: OriginDigest[] = exchange.holdings().map(h => ({ origin: h.peerId, snapshotSeq: h.snapshotSeq, ranges: toRanges(h.seqs) }))
  return encodeSyncRequest({ hive, digests })
}

export function * envelopesLacked (exchange: Exchange, hive: string, request: Uint8Array): Generator<Uint8Array> {
  const decoded = decodeSyncRequest(request)
  if (decoded.hive !== hive) return
  const theirs = new Map(decoded.digests.map(d => [d.origin, d]))
  let frames = 0
  let bytesSent = 0
  for (const held of exchange.holdings()) {
    const digest = theirs.get(held.peerId)
    // Anything before their newest snapshot is superseded for them (R23): skip it.
    const from = digest === undefined ? 0 : digest.snapshotSeq
    for (const { seq, bytes } of exchange.envelopesOf(held.peerId, from)) {
      if (digest !== undefined && inRanges(digest.ranges, seq)) continue
      if (frames === SYNC.answerFrames || bytesSent + bytes.length > SYNC.answerBytes) return
      frames++
      bytesSent += bytes.length
      yield bytes
    }
  }
}
