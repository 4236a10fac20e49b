import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import type { HiveNode } from '../src/hive/node.js'
import { envelopesLacked, syncRequestsOf } from '../src/hive/sync-answers.js'
import { createHiveNetwork, SYNC_PROTOCOL, type HiveNetwork } from '../src/network/index.js'
import { MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES } from '../src/protocol/index.js'
import { encodeSyncRequest } from '../src/protocol/sync-digest.js'
import type { Store } from '../src/store/index.js'
import { addressOf, eventually, hiveView, quiet, startNode } from './helpers/hive.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

// Sync between real nodes on 127.0.0.1 when the digest is large: 20,000 origins with fragmented
// seqs (request version 2, compact seq sets), and with a peer that speaks only version 1.
const running: Array<{ stop: () => Promise<void> }> = []
const files: TestNode[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => { await n.stop() }))
  for (const f of files.splice(0)) f.close()
})
async function node (options: Parameters<typeof startNode>[0] = {}): Promise<HiveNode> {
  const n = await startNode(options)
  running.push(n)
  return n
}

const ORIGINS = 20_000
/** 32 seqs, every other one missing, at realistic seq numbers: 32 ranges per origin */
const FRAGMENTED = Array.from({ length: 32 }, (_, i) => 1_000_000 + 2 * i)

/** Stores `ORIGINS` origins holding FRAGMENTED (placeholder envelopes: both sides hold them, so none is sent). */
function fillOrigins (store: Store): void {
  const db = store.db
  const origin = db.prepare('INSERT INTO origins (peer_id, snapshot_seq) VALUES (?, ?)')
  const envelope = db.prepare("INSERT INTO envelopes (origin, seq, kind, bytes, received_ms) VALUES (?, ?, 'delta', x'00', 0)")
  db.transaction(() => {
    for (let o = 1; o <= ORIGINS; o++) {
      const id = Number(origin.run(`12D3KooW${String(o).padStart(44, 'x')}`, FRAGMENTED[0]).lastInsertRowid)
      for (const seq of FRAGMENTED) envelope.run(id, seq)
    }
  })()
}

/** A real origin's snapshot and 6 deltas: `to` gets all of them, `fragmentedTo` every other delta. */
async function realOrigin (to: HiveNode, fragmentedTo: HiveNode): Promise<TestNode> {
  const origin = await fileNode()
  files.push(origin)
  const envelopes = [...origin.sharing.export('snapshot', MAX_GOSSIP_BYTES)?.envelopes ?? []]
  for (let i = 0; i < 6; i++) {
    origin.tracker.record({ task_type: 'bug_fix', tool: `tool-${i}`, outcome: 'pass', duration_s: 30 })
    envelopes.push(...origin.sharing.export('delta', MAX_GOSSIP_BYTES)?.envelopes ?? [])
  }
  for (const [i, e] of envelopes.entries()) {
    expect(to.local.receiver.receive(e).verdict).toBe('accepted')
    if (i % 2 === 0) expect(fragmentedTo.local.receiver.receive(e).verdict).toBe('accepted')
  }
  return origin
}

const seqsOf = (n: HiveNode, peerId: string): number[] | undefined => n.local.tracker.store.exchange.holdings().find(h => h.peerId === peerId)?.seqs

describe('sync at scale between real nodes', () => {
  it('20,000 origins with fragmented seqs: version 2 needs 4 pages where version 1 needs 17, and exactly the lacked envelopes arrive', async () => {
    const [responder, requester] = [await node(), await node()]
    fillOrigins(responder.local.tracker.store)
    fillOrigins(requester.local.tracker.store)
    const origin = await realOrigin(responder, requester)
    const exchange = requester.local.tracker.store.exchange
    const [v1, v2] = [syncRequestsOf(exchange, 'default', undefined, 1), syncRequestsOf(exchange, 'default', undefined, 2)]
    const bytes = (pages: Uint8Array[]): number => pages.reduce((s, p) => s + p.length, 0)
    expect(v1.length).toBeGreaterThanOrEqual(15)
    expect(v2.length).toBeLessThanOrEqual(4)
    expect(bytes(v1) / bytes(v2)).toBeGreaterThan(5)
    for (const page of [...v1, ...v2]) expect(page.byteLength).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES / 2)

    expect(seqsOf(requester, origin.peerId)).toHaveLength(4)
    const acceptedBefore = requester.verdictCounts().accepted
    const report = await requester.syncWith(await requester.network.dial(addressOf(responder)))
    // (the connection's own sync may have run first: then this one finds nothing left to fetch)
    await eventually(() => seqsOf(requester, origin.peerId)?.length === 7)
    expect(seqsOf(requester, origin.peerId)).toEqual(seqsOf(responder, origin.peerId))
    expect(hiveView(requester)).toBe(hiveView(responder))
    expect(report).toMatchObject({ version: 2, pages: v2.length, rejected: 0 })
    // the 3 deltas it lacked, and the responder's own envelopes (its start-up export)
    const ownEnvelopes = seqsOf(responder, responder.network.peerId)?.length ?? 0
    expect(requester.verdictCounts().accepted - acceptedBefore).toBe(3 + ownEnvelopes)
    expect(seqsOf(requester, responder.network.peerId)?.length ?? 0).toBe(ownEnvelopes)
  }, 300_000)

  it('a peer that speaks only /hivebench/sync/1.0.0 (older than r2.2) is synced with, and syncs with us, in version 1', async () => {
    const [current, idle] = [await node(), await node()]
    const origin = await realOrigin(current, idle) // current holds a real origin the old peer lacks
    const store = await fileNode()
    files.push(store)
    store.tracker.record({ task_type: 'bug_fix', tool: 'old-tool', outcome: 'pass' })
    const oldEnvelopes = store.sharing.export('snapshot', MAX_GOSSIP_BYTES)?.envelopes ?? []
    const versionsServed: number[] = []
    const old: HiveNetwork = await createHiveNetwork({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      hive: 'default',
      mdns: false,
      maxMessageBytes: MAX_GOSSIP_BYTES,
      sync: { maxFrameBytes: MAX_ENVELOPE_BYTES },
      syncProtocols: [SYNC_PROTOCOL],
      // what a node older than r2.2 serves: version 1 requests only (request[1]: the version, after the array header)
      syncHandler: (request) => { versionsServed.push(request[1]); return envelopesLacked(store.tracker.store.exchange, 'default', request) },
      validate: () => 'accept',
      onMessage: () => {},
      logger: quiet
    })
    running.push(old)
    await old.start()

    const report = await current.syncWith(await current.network.dial(old.multiaddrs()[0]))
    // (the connection's own sync may have fetched them first)
    await eventually(() => seqsOf(current, store.peerId)?.length === oldEnvelopes.length)
    expect(report).toMatchObject({ version: 1, pages: 1, rejected: 0 })
    expect(versionsServed.length).toBeGreaterThanOrEqual(1)
    expect(new Set(versionsServed)).toEqual(new Set([1]))

    // the old peer asks in version 1, on 1.0.0, and gets what it lacks
    const frames: Uint8Array[] = []
    const tally = await old.requestSync(current.network.peerId, encodeSyncRequest({ hive: 'default', digests: [] }, 1), f => { frames.push(f) })
    expect(tally.protocolId).toBe(SYNC_PROTOCOL)
    expect(frames.length).toBe(current.local.tracker.store.exchange.holdings().reduce((n, h) => n + h.seqs.length, 0))
    expect(frames.length).toBeGreaterThan(seqsOf(current, origin.peerId)?.length ?? Infinity)
  }, 120_000)
})
