import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { SIGNATURE_BYTES, SIGNING_DOMAIN } from './constants.js'
import { fail } from './errors.js'
import type { Ed25519PrivateKey, Ed25519PublicKey } from '@libp2p/interface'

/**
 * Origins travel as the bytes of their peer id's multihash. An Ed25519 peer id is the identity
 * multihash of the protobuf public key, so the key (and the signature check) comes straight
 * from the id with no lookup: 0x00 (identity) 0x24 (36 bytes) 0x08 0x01 (KeyType Ed25519)
 * 0x12 0x20 (Data, 32 bytes) then the raw key.
 */
const ED25519_ID_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20)
export const ORIGIN_BYTES = ED25519_ID_PREFIX.length + 32

const domain = new TextEncoder().encode(SIGNING_DOMAIN)

export interface Origin {
  /** the peer id string (base58btc), as libp2p prints it */
  id: string
  key: KeyObject
}

/** R7: the origin bytes must be an Ed25519 peer id; returns its id and verification key. */
export function parseOrigin (bytes: Uint8Array): Origin {
  const prefixOk = bytes.length === ORIGIN_BYTES && ED25519_ID_PREFIX.every((b, i) => bytes[i] === b)
  if (!prefixOk) fail('R7', `must be the ${ORIGIN_BYTES}-byte identity multihash of an Ed25519 public key`, 'origin')
  const raw = bytes.subarray(ED25519_ID_PREFIX.length)
  let key: KeyObject
  let publicKey: Ed25519PublicKey
  try {
    publicKey = publicKeyFromRaw(raw) as Ed25519PublicKey
    key = createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') } })
  } catch {
    return fail('R7', 'not a valid Ed25519 public key', 'origin')
  }
  return { id: peerIdFromPublicKey(publicKey).toString(), key }
}

export function originBytesOf (privateKey: Ed25519PrivateKey): Uint8Array {
  return privateKey.publicKey.toMultihash().bytes
}

/** What is signed: the domain, then the body bytes exactly as they travel. */
export function signingInput (body: Uint8Array): Uint8Array {
  const out = new Uint8Array(domain.length + body.length)
  out.set(domain, 0)
  out.set(body, domain.length)
  return out
}

// Node's Ed25519 is synchronous; libp2p's key.sign() is typed as possibly async. Keys are cached
// because an exporter signs many envelopes with the one identity.
const signingKeys = new WeakMap<Ed25519PrivateKey, KeyObject>()

function signingKey (privateKey: Ed25519PrivateKey): KeyObject {
  let key = signingKeys.get(privateKey)
  if (key === undefined) {
    key = createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        // libp2p keeps an Ed25519 private key as seed (32 bytes) || public key (32 bytes)
        d: Buffer.from(privateKey.raw.subarray(0, 32)).toString('base64url'),
        x: Buffer.from(privateKey.publicKey.raw).toString('base64url')
      }
    })
    signingKeys.set(privateKey, key)
  }
  return key
}

export function signBody (body: Uint8Array, privateKey: Ed25519PrivateKey): Uint8Array {
  return new Uint8Array(sign(null, signingInput(body), signingKey(privateKey)))
}

/** R8: the signature is the origin's Ed25519 signature over signingInput(body). */
export function checkSignature (origin: Origin, body: Uint8Array, signature: Uint8Array): void {
  if (signature.length !== SIGNATURE_BYTES) fail('R8', `must be ${SIGNATURE_BYTES} bytes, got ${signature.length}`, 'signature')
  let ok: boolean
  try {
    ok = verify(null, signingInput(body), origin.key, signature)
  } catch {
    ok = false
  }
  if (!ok) fail('R8', `not a valid signature by ${origin.id}`, 'signature')
}
