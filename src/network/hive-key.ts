import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { errorMessage, StateError } from '../errors.js'

/**
 * Keys of closed hives: the swarm.key v1 format shared by libp2p private networks (go and js),
 * so a key made here works with other libp2p tooling and vice versa:
 *
 *   /key/swarm/psk/1.0.0/
 *   /base16/
 *   <64 hex digits: a 32-byte pre-shared key>
 */
const HEADER = '/key/swarm/psk/1.0.0/'
const ENCODING = '/base16/'
const KEY_HEX = /^[0-9a-fA-F]{64}$/

/** A fresh random hive key, in the canonical file format (write it with mode 0600). */
export function generateHiveKey (): Uint8Array {
  return encode(randomBytes(32).toString('hex'))
}

/** Reads and checks a key file; returns it in canonical form (lower-case hex, LF, no trailing newline). */
export function readHiveKey (file: string): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(file)
  } catch (err) {
    throw new StateError('HIVE_KEY_UNREADABLE', `cannot read hive key file ${file}: ${errorMessage(err)}`, { cause: err })
  }
  return parseHiveKey(bytes, file)
}

/** Checks swarm.key v1 bytes and returns their canonical form; `source` names them in errors. */
export function parseHiveKey (bytes: Uint8Array, source = 'hive key'): Uint8Array {
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/).map(line => line.trim())
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  const fail = (rule: string): never => {
    throw new StateError('HIVE_KEY_INVALID', `${source}: ${rule} (expected "${HEADER}", "${ENCODING}", then 64 hex digits)`)
  }
  const [header, encoding, key = ''] = lines
  if (lines.length !== 3) fail(`has ${lines.length} lines, not 3`)
  if (header !== HEADER) fail('first line is not the swarm.key v1 header')
  if (encoding !== ENCODING) fail('only the base16 encoding is supported')
  if (!KEY_HEX.test(key)) fail('key line is not 64 hex digits')
  return encode(key.toLowerCase())
}

function encode (hex: string): Uint8Array {
  return new TextEncoder().encode(`${HEADER}\n${ENCODING}\n${hex}`)
}
