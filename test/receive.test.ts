import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { DAY_MS } from '../src/core/time.js'
import { emptyCounters } from '../src/core/types.js'
import { gossipVerdictOf } from '../src/hive/receive.js'
import { encodeEnvelope } from '../src/protocol/index.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

/** An envelope its origin really signed, whose classes do not sum to n (R15: the origin itself is at fault). */
async function badlySigned (seq: number, key: Awaited<ReturnType<typeof generateKeyPair>>): Promise<Uint8Array> {
  const entry = { taskType: 'bug_fix', tool: 'evil', model: '', day: Math.floor(NOW / DAY_MS), ...emptyCounters(), n: 1, pass: 2 }
  return encodeEnvelope({ seq, kind: 'delta', createdAtMs: NOW, entries: [entry] }, key as never)
}

/** Flips a bit of the signature: still R1-R7 clean, fails R8. */
function forge (envelope: Uint8Array, i = 0): Uint8Array {
  const forged = new Uint8Array(envelope)
  forged[forged.length - 10] ^= 1 + i
  return forged
}

describe('receive pipeline', () => {
  it('drops a peer that keeps sending rejected envelopes before validating them', async () => {
    const me = await fileNode({ now: () => NOW, rejectLimits: { threshold: 3, halfLifeMs: 60_000 } })
    open.push(me)
    const junk = new TextEncoder().encode('junk')
    const verdicts = Array.from({ length: 5 }, () => me.receiver.receive(junk, { via: 'gossip', peer: 'peerX' }))
    expect(verdicts.map(v => v.verdict)).toEqual(['rejected', 'rejected', 'rejected', 'dropped', 'dropped'])
    expect(gossipVerdictOf(verdicts[4])).toBe('reject')
    expect(me.receiver.blocked()).toEqual(['peer:peerX'])
    // other peers are unaffected
    expect(me.receiver.receive(junk, { via: 'gossip', peer: 'peerY' }).verdict).toBe('rejected')
    expect(me.receiver.counts()).toEqual({ 'rejected:R2': 4, 'dropped:peer_blocked': 2 })
  })

  it('blocks an authentic origin that signs bad data, whoever relays it; forgeries never block the origin they claim', async () => {
    const me = await fileNode({ now: () => NOW, rejectLimits: { threshold: 2, halfLifeMs: 60_000 } })
    const honest = await fileNode({ now: () => NOW })
    open.push(me, honest)
    const key = await generateKeyPair('Ed25519')
    expect(me.receiver.receive(await badlySigned(1, key), { via: 'sync', peer: 'relay1' })).toMatchObject({ verdict: 'rejected', rule: 'R15' })
    expect(me.receiver.receive(await badlySigned(2, key), { via: 'sync', peer: 'relay2' })).toMatchObject({ verdict: 'rejected', rule: 'R15' })
    const blocked = me.receiver.receive(await badlySigned(3, key), { via: 'sync', peer: 'relay3' })
    expect(blocked).toEqual({ verdict: 'dropped', reason: 'origin_blocked' })
    expect(gossipVerdictOf(blocked)).toBe('ignore')

    // forged envelopes claiming the honest origin count against the sender only
    honest.tracker.record({ task_type: 'bug_fix', tool: 'aider', success: true })
    const genuine = honest.sharing.export('delta')!.envelopes[0]
    for (let i = 0; i < 3; i++) expect(me.receiver.receive(forge(genuine, i), { via: 'gossip', peer: `forger${i}` })).toMatchObject({ verdict: 'rejected', rule: 'R8' })
    expect(me.receiver.receive(genuine, { via: 'gossip', peer: 'relay4' })).toMatchObject({ verdict: 'accepted', origin: honest.peerId })
  })

  it('answers a duplicate from the store before the signature check (R22 before R8)', async () => {
    const me = await fileNode({ now: () => NOW })
    const a = await fileNode({ now: () => NOW })
    open.push(me, a)
    a.tracker.record({ task_type: 'bug_fix', tool: 'aider', success: true })
    const genuine = a.sharing.export('delta')!.envelopes[0]
    expect(me.receiver.receive(genuine).verdict).toBe('accepted')
    // the same (origin, seq) with a broken signature: the store already holds it, so R22 decides
    expect(me.receiver.receive(forge(genuine))).toMatchObject({ verdict: 'ignored', rule: 'R22' })
    // a bad envelope of an origin we never stored still meets R8
    const b = await fileNode({ now: () => NOW })
    open.push(b)
    b.tracker.record({ task_type: 'bug_fix', tool: 'aider', success: true })
    expect(me.receiver.receive(forge(b.sharing.export('delta')!.envelopes[0]))).toMatchObject({ verdict: 'rejected', rule: 'R8' })
  })

  it('applies R1 by source: a gossip message over MAX_GOSSIP_BYTES is rejected, the same bytes from a file are not', async () => {
    const me = await fileNode({ now: () => NOW })
    const a = await fileNode({ now: () => NOW })
    open.push(me, a)
    const day = Math.floor(NOW / DAY_MS)
    const rows = Array.from({ length: 8000 }, (_, i) => ({ task_type: `t${i % 400}`, tool: `tool-${i}`, model: `model-${i}`, success: true, at: new Date(day * DAY_MS + 1000).toISOString() }))
    a.tracker.recordBatch(rows)
    const [big] = a.sharing.export('snapshot', 1024 * 1024)!.envelopes
    expect(big.length).toBeGreaterThan(256 * 1024)
    expect(me.receiver.receive(big, { via: 'gossip', peer: 'p' })).toMatchObject({ verdict: 'rejected', rule: 'R1' })
    expect(me.receiver.receive(big, { via: 'file' }).verdict).toBe('accepted')
  })
})
