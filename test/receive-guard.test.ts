import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { DAY_MS } from '../src/core/time.js'
import { emptyCounters } from '../src/core/types.js'
import { createReceiveGuard, gossipVerdictOf } from '../src/hive/receive-guard.js'
import { encodeEnvelope, MAX_ENVELOPE_BYTES } from '../src/protocol/index.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

/** An envelope its origin really signed, whose classes do not sum to n (R15: the origin itself is at fault). */
async function badlySigned (seq: number, key: Awaited<ReturnType<typeof generateKeyPair>>): Promise<Uint8Array> {
  const entry = { taskType: 'bug_fix', tool: 'evil', model: '', day: Math.floor(NOW / DAY_MS), ...emptyCounters(), n: 1, pass: 2 }
  return encodeEnvelope({ seq, kind: 'delta', createdAtMs: NOW, entries: [entry] }, key as never)
}

describe('receive guard', () => {
  it('drops a peer that keeps sending rejected envelopes before validating them', async () => {
    const me = await fileNode({ now: () => NOW })
    open.push(me)
    const guard = createReceiveGuard(me.sharing, { threshold: 3, halfLifeMs: 60_000 }, () => NOW)
    const junk = new TextEncoder().encode('junk')
    const verdicts = Array.from({ length: 5 }, () => guard.receive(junk, MAX_ENVELOPE_BYTES, 'peerX'))
    expect(verdicts.map(v => v.verdict)).toEqual(['rejected', 'rejected', 'rejected', 'dropped', 'dropped'])
    expect(gossipVerdictOf(verdicts[4])).toBe('reject')
    expect(guard.blocked()).toEqual(['peer:peerX'])
    // other peers are unaffected
    expect(guard.receive(junk, MAX_ENVELOPE_BYTES, 'peerY').verdict).toBe('rejected')
  })

  it('blocks an authentic origin that signs bad data, whoever relays it; forgeries never block the origin they claim', async () => {
    const me = await fileNode({ now: () => NOW })
    const honest = await fileNode({ now: () => NOW })
    open.push(me, honest)
    const guard = createReceiveGuard(me.sharing, { threshold: 2, halfLifeMs: 60_000 }, () => NOW)
    const key = await generateKeyPair('Ed25519')
    expect(guard.receive(await badlySigned(1, key), MAX_ENVELOPE_BYTES, 'relay1')).toMatchObject({ verdict: 'rejected', rule: 'R15' })
    expect(guard.receive(await badlySigned(2, key), MAX_ENVELOPE_BYTES, 'relay2')).toMatchObject({ verdict: 'rejected', rule: 'R15' })
    expect(guard.receive(await badlySigned(3, key), MAX_ENVELOPE_BYTES, 'relay3')).toEqual({ verdict: 'dropped', reason: 'origin_blocked' })

    // forged envelopes claiming the honest origin count against the sender only
    honest.tracker.record({ task_type: 'bug_fix', tool: 'aider', success: true })
    const genuine = honest.sharing.export('delta')!.envelopes[0]
    for (let i = 0; i < 3; i++) {
      const forged = new Uint8Array(genuine)
      forged[forged.length - 70] ^= 1 + i
      guard.receive(forged, MAX_ENVELOPE_BYTES, `forger${i}`)
    }
    expect(guard.receive(genuine, MAX_ENVELOPE_BYTES, 'relay4')).toMatchObject({ verdict: 'accepted', origin: honest.peerId })
  })
})
