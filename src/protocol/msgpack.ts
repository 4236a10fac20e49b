import { Packr, Unpackr } from 'msgpackr'
import { ProtocolError, type RuleId } from './errors.js'
import { errorMessage } from '../errors.js'

/**
 * The msgpack subset of the protocol: integers, strings (valid UTF-8), binaries and arrays.
 * No maps, floats, nil, booleans or extension types appear in a valid envelope, so a strict
 * scan rejects them before msgpackr sees the bytes: msgpackr's extensions (records, structured
 * clone, dates...) and its recursion never run on hostile input, and NaN/Infinity cannot occur.
 */

/** What the encoder writes: the wire schema is made of these only. */
export type WireValue = number | bigint | string | Uint8Array | WireValue[]

const packr = new Packr({ useRecords: false })
// int64AsType 'bigint' (the default) keeps 64-bit integers exact; toInt() turns them into numbers.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: 'bigint' })
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** msgpackr writes integers beyond 32 bits as float64; as bigint they are written as int64. */
function integersAsInt64 (value: WireValue): WireValue {
  if (typeof value === 'number') {
    return Number.isInteger(value) && (value > 0xffff_ffff || value < -0x8000_0000) ? BigInt(value) : value
  }
  if (Array.isArray(value)) return value.map(integersAsInt64)
  return value
}

export function pack (value: WireValue): Uint8Array {
  return packr.pack(integersAsInt64(value))
}

/** Scan failures carry a detail only; the caller knows which rule a bad layer breaks. */
class ScanError extends Error {}

interface Cursor { bytes: Uint8Array, view: DataView, pos: number }

function take (c: Cursor, n: number): number {
  if (n > c.bytes.length - c.pos) throw new ScanError('truncated')
  const at = c.pos
  c.pos += n
  return at
}

function length (c: Cursor, width: 1 | 2 | 4): number {
  const at = take(c, width)
  return width === 1 ? c.view.getUint8(at) : width === 2 ? c.view.getUint16(at) : c.view.getUint32(at)
}

function forbidden (t: number): string {
  if (t === 0xc0) return 'nil'
  if (t === 0xc2 || t === 0xc3) return 'boolean'
  if (t === 0xca || t === 0xcb) return 'float'
  if ((t >= 0x80 && t <= 0x8f) || t === 0xde || t === 0xdf) return 'map'
  if (t === 0xc1) return 'reserved byte 0xc1'
  return 'extension'
}

function skipValue (c: Cursor, depth: number, maxDepth: number): void {
  // biome-ignore lint/style/noNonNullAssertion: take() checked the offset against the length
  const t = c.bytes[take(c, 1)]!
  if (t <= 0x7f || t >= 0xe0) return
  if (t >= 0x90 && t <= 0x9f) { skipArray(c, t & 0x0f, depth, maxDepth); return }
  if (t >= 0xa0 && t <= 0xbf) { checkString(c, t & 0x1f); return }
  switch (t) {
    case 0xc4: take(c, length(c, 1)); return
    case 0xc5: take(c, length(c, 2)); return
    case 0xc6: take(c, length(c, 4)); return
    case 0xcc: case 0xd0: take(c, 1); return
    case 0xcd: case 0xd1: take(c, 2); return
    case 0xce: case 0xd2: take(c, 4); return
    case 0xcf: case 0xd3: take(c, 8); return
    case 0xd9: checkString(c, length(c, 1)); return
    case 0xda: checkString(c, length(c, 2)); return
    case 0xdb: checkString(c, length(c, 4)); return
    case 0xdc: skipArray(c, length(c, 2), depth, maxDepth); return
    case 0xdd: skipArray(c, length(c, 4), depth, maxDepth); return
  }
  throw new ScanError(`${forbidden(t)} (0x${t.toString(16)}) at byte ${c.pos - 1} is not allowed`)
}

function skipArray (c: Cursor, n: number, depth: number, maxDepth: number): void {
  if (depth >= maxDepth) throw new ScanError(`arrays nested deeper than ${maxDepth}`)
  // every element takes at least one byte: a longer claim is a lie we need not iterate over
  if (n > c.bytes.length - c.pos) throw new ScanError('array length exceeds the input')
  for (let i = 0; i < n; i++) skipValue(c, depth + 1, maxDepth)
}

function checkString (c: Cursor, n: number): void {
  const at = take(c, n)
  try {
    utf8.decode(c.bytes.subarray(at, at + n))
  } catch {
    throw new ScanError(`string at byte ${at} is not valid UTF-8`)
  }
}

/**
 * Decodes one msgpack value that must fill `bytes` exactly, with arrays nested at most
 * `maxDepth` deep. Any failure is a ProtocolError of `rule` naming `field`.
 */
export function unpackStrict (bytes: Uint8Array, maxDepth: number, rule: RuleId, field: string): unknown {
  const c: Cursor = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), pos: 0 }
  try {
    skipValue(c, 0, maxDepth)
    if (c.pos !== bytes.length) throw new ScanError(`${bytes.length - c.pos} trailing bytes`)
  } catch (err) {
    if (err instanceof ScanError) throw new ProtocolError(rule, `not decodable: ${err.message}`, field)
    throw err
  }
  try {
    return unpackr.unpack(bytes)
  } catch (err) {
    // the scan admits only what msgpackr decodes, so this is a guard, not an expected path
    throw new ProtocolError(rule, `not decodable: ${errorMessage(err)}`, field, { cause: err })
  }
}

/** The value of a msgpack integer as a number (64-bit ones arrive as bigint); undefined for anything else. Unsafe values stay unsafe, for the range rules to catch. */
export function toInt (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined
  if (typeof value === 'bigint') return Number(value)
  return undefined
}

export function isBytes (value: unknown): value is Uint8Array {
  return value instanceof Uint8Array
}
