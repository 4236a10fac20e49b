/**
 * The Ed25519 public key inside a peer id's text form (`12D3KooW…`: base58btc of the identity
 * multihash `00 24 08 01 12 20` + 32 key bytes), or null for anything else. A few lines instead
 * of @libp2p/peer-id, whose crypto stack costs ~70 ms to load: the CLI's read commands check
 * origin ids through here and never need a key object.
 */
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const ED25519_PREFIX = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20]
const ID_BYTES = ED25519_PREFIX.length + 32

export function ed25519KeyOfPeerId (text: string): Uint8Array | null {
  let value = 0n
  for (const c of text) {
    const digit = ALPHABET.indexOf(c)
    if (digit < 0) return null
    value = value * 58n + BigInt(digit)
  }
  // each leading '1' is a leading zero byte
  let zeros = 0
  while (text[zeros] === '1') zeros++
  const hex = value === 0n ? '' : value.toString(16)
  const body = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex')
  const bytes = new Uint8Array(zeros + body.length)
  bytes.set(body, zeros)
  if (bytes.length !== ID_BYTES || !ED25519_PREFIX.every((b, i) => bytes[i] === b)) return null
  return bytes.subarray(ED25519_PREFIX.length)
}
