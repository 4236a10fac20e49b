import { afterEach, describe, expect, it } from 'vitest'
import { envelopesLacked, syncRequestOf } from '../src/hive/sync-answers.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

describe('sync answers', () => {
  it('read each envelope only when the stream pulls it: one dropped meanwhile is not sent', async () => {
    const [origin, relay, late] = [await fileNode({ now: () => NOW }), await fileNode({ now: () => NOW }), await fileNode({ now: () => NOW })]
    open.push(origin, relay, late)
    for (const e of origin.sharing.export('snapshot')?.envelopes ?? []) relay.sharing.receive(e)
    for (let i = 0; i < 5; i++) {
      origin.tracker.record({ task_type: 'x', tool: `t${i}`, success: true })
      for (const e of origin.sharing.export('delta')?.envelopes ?? []) relay.sharing.receive(e)
    }
    const answer = envelopesLacked(relay.tracker.store.exchange, 'h', syncRequestOf(late.tracker.store.exchange, 'h'))
    const first = answer.next()
    expect(first.done).toBe(false)
    // while the answer waits for the stream, a newer snapshot supersedes the deltas
    for (const e of origin.sharing.export('snapshot')?.envelopes ?? []) relay.sharing.receive(e)
    expect([...answer]).toEqual([])
    expect(relay.tracker.store.exchange.holdings().find(h => h.peerId === origin.peerId)?.seqs).toEqual([7])
  })
})
