import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { DAY_MS } from '../src/core/time.js'
import { emptyCounters } from '../src/core/types.js'
import { createSlicedQueue } from '../src/hive/admission.js'
import { createReceiver, gossipVerdictOf } from '../src/hive/receive.js'
import { encodeEnvelope } from '../src/protocol/index.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

/** A valid delta of a fresh origin (its own new key). */
async function freshOrigin (seq = 1): Promise<Uint8Array> {
  const entry = { taskType: 'bug_fix', tool: 'x', model: '', day: Math.floor(NOW / DAY_MS), ...emptyCounters(), n: 1, pass: 1 }
  return encodeEnvelope({ seq, kind: 'delta', createdAtMs: NOW, entries: [entry] }, await generateKeyPair('Ed25519') as never)
}

describe('origin admission', () => {
  it('lets one peer introduce new origins at a bounded rate and up to a bound, without penalty; known origins and other peers are unaffected', async () => {
    const me = await fileNode({ now: () => NOW })
    open.push(me)
    let now = NOW
    const receiver = createReceiver({ store: me.tracker.store, now: () => now, admission: { perSecond: 1, burst: 5, maxPerPeer: 8 } })
    const gossip = (e: Uint8Array, peer: string) => receiver.receive(e, { via: 'gossip', peer })
    const flood = await Promise.all(Array.from({ length: 12 }, async () => await freshOrigin()))
    const verdicts = flood.map(e => gossip(e, 'flooder'))
    expect(verdicts.map(v => v.verdict)).toEqual([...Array(5).fill('accepted'), ...Array(7).fill('dropped')])
    expect(verdicts.map(gossipVerdictOf).slice(5)).toEqual(Array(7).fill('ignore')) // no penalty
    expect(me.tracker.store.exchange.originCount()).toBe(1 + 5)
    // a sync answer (not rate-limited) and another peer still get through
    expect(receiver.receive(flood[5], { via: 'sync', peer: 'flooder' }).verdict).toBe('accepted')
    expect(gossip(flood[6], 'other').verdict).toBe('accepted')
    // known origins are never limited
    expect(gossip(flood[0], 'flooder')).toMatchObject({ verdict: 'ignored', rule: 'R22' })
    // the bucket refills at 1/s, up to the peer's bound of 8 in all
    now += 10_000
    const later = flood.slice(7).map(e => gossip(e, 'flooder').verdict)
    expect(later).toEqual(['accepted', 'accepted', 'accepted', 'dropped', 'dropped'])
    expect(receiver.notAdmitted()).toBe(9)
  })

  it('the sliced queue runs at most one slice of tasks per event-loop turn, in order, and refuses past its bound', async () => {
    const run = createSlicedQueue(5, 1000)
    const busy = (): number => { const until = performance.now() + 2; while (performance.now() < until) { /* work */ } return 1 }
    let turns = 0
    const ticker = setInterval(() => { turns++ }, 0)
    const order: number[] = []
    const results = await Promise.all(Array.from({ length: 50 }, async (_, i) => await run(() => { order.push(i); return busy() }, 0)))
    clearInterval(ticker)
    expect(results).toEqual(Array(50).fill(1))
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(turns).toBeGreaterThanOrEqual(10) // 100 ms of work in 5 ms slices: timers ran in between
    const small = createSlicedQueue(5, 2)
    const waiting = [small(() => 'a', 'over'), small(() => 'b', 'over')]
    expect(await small(() => 'c', 'over')).toBe('over')
    expect(await Promise.all(waiting)).toEqual(['a', 'b'])
  })
})
