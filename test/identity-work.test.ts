import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { dayOf } from '../src/core/time.js'
import { emptyCounters } from '../src/core/types.js'
import { openLocalNode, type LocalNode } from '../src/hive/local-node.js'
import { createSharing } from '../src/hive/sharing.js'
import { resolveWorkBits, WORK_BITS_ENV } from '../src/hive/work-bits.js'
import { encodeEnvelope } from '../src/protocol/index.js'
import { identityWork, leadingZeroBits, mintSeed } from '../src/protocol/identity-work.js'
import { loadOrCreateIdentity } from '../src/store/identity.js'
import { openTracker } from '../src/tracker.js'
import { tempDir } from './helpers/tmp.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const BITS = 8
const open: LocalNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

const envelopeFrom = (key: Ed25519PrivateKey): Uint8Array => encodeEnvelope({
  seq: 1,
  kind: 'snapshot',
  createdAtMs: NOW,
  entries: [{ ...emptyCounters(), taskType: 'bug_fix', tool: 'aider', model: '', day: dayOf(NOW), n: 1, pass: 1 }]
}, key)

/** A key carrying `bits` of work, and one carrying less. */
const minted = async (bits: number): Promise<Ed25519PrivateKey> => await generateKeyPairFromSeed('Ed25519', mintSeed(bits).seed)
async function unminted (bits: number): Promise<Ed25519PrivateKey> {
  for (;;) {
    const key = await generateKeyPair('Ed25519')
    if (identityWork(key.publicKey.raw) < bits) return key
  }
}

describe('identity work (R24: S/Kademlia static puzzle)', () => {
  it('leadingZeroBits counts the zero bits before the first set bit (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 8 }), bytes => {
      const bits = [...bytes].map(b => b.toString(2).padStart(8, '0')).join('')
      const first = bits.indexOf('1')
      expect(leadingZeroBits(bytes)).toBe(first === -1 ? bits.length : first)
    }))
  })

  it('mints seeds whose libp2p key carries the work', async () => {
    const { seed, publicKey, tries } = mintSeed(BITS)
    expect(tries).toBeGreaterThan(0)
    const key = await generateKeyPairFromSeed('Ed25519', seed)
    expect(Buffer.from(key.publicKey.raw)).toEqual(Buffer.from(publicKey))
    expect(identityWork(key.publicKey.raw)).toBeGreaterThanOrEqual(BITS)
  })

  it('the receive path rejects an origin without the hive\'s work (R24), before the signature, and accepts one with it', async () => {
    const tracker = openTracker({ dataDir: tempDir(), now: () => NOW })
    try {
      const sharing = createSharing({ store: tracker.store, privateKey: await minted(0), workBits: BITS, now: () => NOW })
      expect(sharing.receive(envelopeFrom(await unminted(BITS)))).toMatchObject({ verdict: 'rejected', rule: 'R24' })
      // a forged signature from an unminted origin still fails R24 first: the cheap check runs first
      const forged = envelopeFrom(await unminted(BITS))
      forged[forged.length - 1] ^= 1
      expect(sharing.receive(forged)).toMatchObject({ verdict: 'rejected', rule: 'R24' })
      expect(sharing.receive(envelopeFrom(await minted(BITS)))).toMatchObject({ verdict: 'accepted' })
      const off = createSharing({ store: tracker.store, privateKey: await minted(0), workBits: 0, now: () => NOW })
      expect(off.receive(envelopeFrom(await unminted(BITS)))).toMatchObject({ verdict: 'accepted' })
    } finally {
      tracker.close()
    }
  })

  it('a new node identity is minted at the hive\'s work; an existing key without it still loads for its own node', async () => {
    const node = await openLocalNode({ dataDir: tempDir(), workBits: BITS, now: () => NOW })
    open.push(node)
    expect(identityWork(node.identity.privateKey.publicKey.raw)).toBeGreaterThanOrEqual(BITS)

    const dir = tempDir()
    const old = await loadOrCreateIdentity(dir) // minted at 0 bits: a pre-1.1 identity
    const again = await loadOrCreateIdentity(dir, { workBits: 30 })
    expect(again.peerId).toBe(old.peerId)
  })

  it('the hive parameter: option, then $HIVEBENCH_ID_WORK_BITS, then the default; nonsense is refused', () => {
    expect(resolveWorkBits(12, {})).toBe(12)
    expect(resolveWorkBits(undefined, { [WORK_BITS_ENV]: '4' })).toBe(4)
    expect(resolveWorkBits(undefined, {})).toBe(16)
    expect(() => resolveWorkBits(undefined, { [WORK_BITS_ENV]: 'many' })).toThrow(/HIVEBENCH_ID_WORK_BITS/)
    expect(() => resolveWorkBits(33, {})).toThrow(/id_work_bits/)
  })
})
