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

/** Parsed origins by hex: a hive has few origins, and key import and base58 are not free. */
const origins = new Map<string, Origin>()
const MAX_CACHED_ORIGINS = 4096

/** R7: the origin bytes must be an Ed25519 peer id; returns its id and verification key. */
export function parseOrigin (bytes: Uint8Array): Origin {
  const prefixOk = bytes.length === ORIGIN_BYTES && ED25519_ID_PREFIX.every((b, i) => bytes[i] === b)
  if (!prefixOk) fail('R7', `must be the ${ORIGIN_BYTES}-byte identity multihash of an Ed25519 public key`, 'origin')
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
  let origin = origins.get(hex)
  if (origin === undefined) {
    origin = importOrigin(bytes.subarray(ED25519_ID_PREFIX.length))
    // bounded, so a flood of fresh origins costs memory once, not forever
    if (origins.size >= MAX_CACHED_ORIGINS) origins.delete(origins.keys().next().value as string)
    origins.set(hex, origin)
  }
  return origin
}

const P = 2n ** 255n - 19n
/**
 * y-coordinates of the 8 points of small order (1, 2, 4 and 8) on edwards25519: 1, -1, 0 and
 * ±y8, y8 = sqrt((sqrt(1 + d) - 1) / d). A key that is one of them verifies signatures that
 * anyone can make (Node accepts an all-zero key with an all-zero signature for any message),
 * so such an origin would be forgeable by all.
 */
const SMALL_ORDER_Y = new Set([0n, 1n, P - 1n, 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n, 0x5fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n])

function hasSmallOrder (raw: Uint8Array): boolean {
  // the key encodes y little-endian in 255 bits, the sign of x in the top bit; reducing
  // mod P also catches the non-canonical encodings of the same points
  const y = BigInt('0x' + Buffer.from(raw).reverse().toString('hex')) & ((1n << 255n) - 1n)
  return SMALL_ORDER_Y.has(y % P)
}

function importOrigin (raw: Uint8Array): Origin {
  if (hasSmallOrder(raw)) fail('R7', 'a public key of small order, whose signatures anyone can forge', 'origin')
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

/** The raw 32-byte Ed25519 public key inside an origin's bytes (parsed by parseOrigin first). */
export function originPublicKey (originBytes: Uint8Array): Uint8Array {
  return originBytes.subarray(ED25519_ID_PREFIX.length)
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
