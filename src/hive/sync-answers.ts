import { decodeSyncRequest, encodeSyncRequest, inRanges, pageSyncRequests, toRanges, type OriginDigest, type SyncRequestVersion } from '../protocol/sync-digest.js'
import type { Exchange } from '../store/index.js'
import { SYNC } from '../protocol/frames.js'

/**
 * Sync (protocol/README.md, "Sync"): a peer sends what it holds per origin; we
 * answer with every stored envelope (newest snapshot and the deltas after it, as received) it
 * lacks. Verification is the requester's: it runs every envelope through the same validation
 * as gossip, so a relaying peer can neither forge nor alter anything.
 */
export function syncRequestOf (exchange: Exchange, hive: string, version: SyncRequestVersion = 2): Uint8Array {
  return encodeSyncRequest({ hive, digests: [...digestsOf(exchange)] }, version)
}

/**
 * The sync request as pages of at most `maxBytes` (half a frame by default): one request while
 * the digests fit, else one per slice of the origin space, each answered for its origins only.
 * Version 1 digests grow about 60 bytes per origin (2-5 KB with 256 fragmented seqs: one frame
 * held 215 such origins); version 2 (compact seq sets) about 65, 127 with 256 fragmented seqs.
 */
export function syncRequestsOf (exchange: Exchange, hive: string, maxBytes = SYNC.maxFrameBytes / 2, version: SyncRequestVersion = 2): Uint8Array[] {
  return pageSyncRequests(hive, digestsOf(exchange), maxBytes, version)
}

/** One origin's digest at a time: 100,000 origins of 256 fragmented seqs are 25 M ranges, which must not all be alive at once. */
function * digestsOf (exchange: Exchange): Generator<OriginDigest> {
  for (const h of exchange.holdings()) yield { origin: h.peerId, snapshotSeq: h.snapshotSeq, ranges: toRanges(h.seqs) }
}

/**
 * The envelopes the requester lacks, read one at a time as the stream pulls them: the seqs to
 * send are listed first (a few bytes each), and each envelope's bytes are read only when the
 * transport has room for it, so an answer nobody reads holds one envelope in memory, not the
 * answer (256 deltas of 1 MB took ~285 MB per stream when read up front). At most
 * SYNC.answerFrames / SYNC.answerBytes per answer; the requester's next sync asks for the rest.
 */
export function * envelopesLacked (exchange: Exchange, hive: string, request: Uint8Array): Generator<Uint8Array> {
  const decoded = decodeSyncRequest(request)
  if (decoded.hive !== hive) return
  const theirs = new Map(decoded.digests.map(d => [d.origin, d]))
  let frames = 0
  let bytesSent = 0
  for (const held of exchange.holdings(decoded.range)) {
    const digest = theirs.get(held.peerId)
    // Anything before their newest snapshot is superseded for them (R23): skip it.
    const from = digest === undefined ? 0 : digest.snapshotSeq
    for (const seq of held.seqs) {
      if (seq < from || (digest !== undefined && inRanges(digest.ranges, seq))) continue
      // dropped since the listing (a newer snapshot, retention): nothing to send
      const bytes = exchange.envelopeBytes(held.peerId, seq)
      if (bytes === undefined) continue
      if (frames === SYNC.answerFrames || bytesSent + bytes.length > SYNC.answerBytes) return
      frames++
      bytesSent += bytes.length
      yield bytes
    }
  }
}
