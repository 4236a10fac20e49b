import { afterEach, describe, expect, it } from 'vitest'
import { envelopesLacked, syncRequestOf, syncRequestsOf } from '../src/hive/sync-answers.js'
import { MAX_ENVELOPE_BYTES } from '../src/protocol/index.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

describe('sync answers', () => {
  it('read each envelope only when the stream pulls it: one dropped meanwhile is not sent', async () => {
    const [origin, relay, late] = [await fileNode({ now: () => NOW }), await fileNode({ now: () => NOW }), await fileNode({ now: () => NOW })]
    open.push(origin, relay, late)
    for (const e of origin.sharing.export('snapshot')?.envelopes ?? []) relay.receiver.receive(e)
    for (let i = 0; i < 5; i++) {
      origin.tracker.record({ task_type: 'x', tool: `t${i}`, success: true })
      for (const e of origin.sharing.export('delta')?.envelopes ?? []) relay.receiver.receive(e)
    }
    const answer = envelopesLacked(relay.tracker.store.exchange, 'h', syncRequestOf(late.tracker.store.exchange, 'h'))
    const first = answer.next()
    expect(first.done).toBe(false)
    // while the answer waits for the stream, a newer snapshot supersedes the deltas
    for (const e of origin.sharing.export('snapshot')?.envelopes ?? []) relay.receiver.receive(e)
    expect([...answer]).toEqual([])
    expect(relay.tracker.store.exchange.holdings().find(h => h.peerId === origin.peerId)?.seqs).toEqual([7])
  })
})

describe('sync digests at scale', () => {
  it('20,000 origins with fragmented seqs: the request goes as pages of at most half a frame, and the answer is exactly what is missing', async () => {
    const [responder, requester] = [await fileNode({ now: () => NOW }), await fileNode({ now: () => NOW })]
    open.push(responder, requester)
    const ORIGINS = 20_000
    const odd = Array.from({ length: 16 }, (_, i) => 2 * i + 1) // 1, 3, ..., 31: 16 ranges each
    const fill = (n: TestNode, extra: (o: number) => number[]): void => {
      const db = n.tracker.store.db
      const origin = db.prepare('INSERT INTO origins (id, peer_id, snapshot_seq) VALUES (?, ?, 1)')
      const envelope = db.prepare("INSERT INTO envelopes (origin, seq, kind, bytes, received_ms) VALUES (?, ?, 'delta', ?, 0)")
      db.transaction(() => {
        for (let o = 1; o <= ORIGINS; o++) {
          origin.run(o, `12D3KooW${String(o).padStart(44, 'x')}`)
          for (const seq of [...odd, ...extra(o)]) envelope.run(o, seq, Buffer.from([o % 256, seq]))
        }
      })()
    }
    fill(requester, () => [])
    // the responder also holds seq 2 of origin 7,777 and seq 40 of the last origin
    fill(responder, o => o === 7777 ? [2] : o === ORIGINS ? [40] : [])

    // version 1 ([from, to] pairs) and version 2 (compact seq sets: 16 odd seqs are a 4-byte bitmap)
    for (const [version, minPages] of [[1, 9], [2, 2]] as const) {
      expect(syncRequestOf(requester.tracker.store.exchange, 'h', version).byteLength).toBeGreaterThan(MAX_ENVELOPE_BYTES)
      const pages = syncRequestsOf(requester.tracker.store.exchange, 'h', undefined, version)
      expect(pages.length).toBeGreaterThanOrEqual(minPages)
      for (const page of pages) expect(page.byteLength).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES / 2)
      const answer = pages.flatMap(page => [...envelopesLacked(responder.tracker.store.exchange, 'h', page)])
      expect(answer.map(b => [...b]).sort((a, b) => a[1] - b[1])).toEqual([[7777 % 256, 2], [ORIGINS % 256, 40]])
    }
  }, 120_000)
})
