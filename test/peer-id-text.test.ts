import fc from 'fast-check'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { ed25519KeyOfPeerId } from '../src/core/peer-id-text.js'

describe('ed25519KeyOfPeerId (the key inside a peer id, without libp2p)', () => {
  it('gives the public key of any Ed25519 peer id, as libp2p encodes it', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (seed) => {
      const key = await generateKeyPairFromSeed('Ed25519', seed)
      expect(Buffer.from(ed25519KeyOfPeerId(peerIdFromPrivateKey(key).toString()) ?? [])).toEqual(Buffer.from(key.publicKey.raw))
    }), { numRuns: 200 })
  })

  it('is null for other key types, other characters and other lengths; never disagrees with libp2p', () => {
    expect(ed25519KeyOfPeerId('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')).toBeNull() // RSA (sha256 multihash)
    expect(ed25519KeyOfPeerId('12D3Koo0')).toBeNull() // '0' is not base58
    expect(ed25519KeyOfPeerId('')).toBeNull()
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => {
      const ours = ed25519KeyOfPeerId(text)
      let theirs: Uint8Array | null = null
      try {
        const id = peerIdFromString(text)
        theirs = id.type === 'Ed25519' ? id.publicKey.raw : null
      } catch {}
      expect(ours === null ? null : Buffer.from(ours)).toEqual(theirs === null ? null : Buffer.from(theirs))
    }), { numRuns: 2000 })
  })
})
