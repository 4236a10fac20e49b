import { createHash, generateKeyPairSync } from 'node:crypto'
import { fail } from './errors.js'

/**
 * Identity cost (protocol/README.md, rule R24; protocol/THREAT-MODEL.md, "Sybils"): S/Kademlia's
 * static crypto puzzle. An origin counts only if SHA-256 of its raw 32-byte Ed25519 public key
 * starts with at least `bits` zero bits, so each identity costs about 2^bits key generations to
 * mint, and the check costs one hash. The key is the puzzle: nothing new travels on the wire.
 */

/** Leading zero bits of `bytes` (8 per zero byte, then the first set bit's position). */
export function leadingZeroBits (bytes: Uint8Array): number {
  let bits = 0
  for (const b of bytes) {
    if (b === 0) { bits += 8; continue }
    return bits + Math.clz32(b) - 24
  }
  return bits
}

/** The work an Ed25519 public key carries: leading zero bits of SHA-256(key). */
export function identityWork (publicKey: Uint8Array): number {
  return leadingZeroBits(createHash('sha256').update(publicKey).digest())
}

/** R24: the origin's key must carry `bits` of work (a hive parameter; 0 disables the rule). */
export function checkIdentityWork (publicKey: Uint8Array, bits: number): void {
  if (bits <= 0) return
  const work = identityWork(publicKey)
  if (work < bits) fail('R24', `the origin key carries ${work} bits of work; this hive requires ${bits} (SHA-256 of the public key must start with ${bits} zero bits)`, 'origin')
}

// DER framing of Node's Ed25519 keys: the raw 32 bytes are the last 32 of each encoding.
const RAW = 32

/**
 * Mints an Ed25519 seed whose public key carries `bits` of work: expected 2^bits key
 * generations (Node's native Ed25519, a few tens of microseconds each). Returns the 32-byte seed.
 */
export function mintSeed (bits: number): { seed: Uint8Array, publicKey: Uint8Array, tries: number } {
  for (let tries = 1; ; tries++) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { format: 'der', type: 'spki' },
      privateKeyEncoding: { format: 'der', type: 'pkcs8' }
    })
    const pub = publicKey.subarray(publicKey.length - RAW)
    if (identityWork(pub) >= bits) return { seed: Uint8Array.from(privateKey.subarray(privateKey.length - RAW)), publicKey: Uint8Array.from(pub), tries }
  }
}
