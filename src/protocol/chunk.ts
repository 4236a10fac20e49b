import { COUNTER_SCALARS, type CounterEntry } from '../core/types.js'
import { ENTRY_FIXED, MAX_ENTRIES, MAX_GOSSIP_BYTES, MAX_PARTS, type EnvelopeKind } from './constants.js'
import { encodeEnvelope } from './envelope.js'
import { pack } from './msgpack.js'
import { histWire } from './payload.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'

/**
 * Splitting entries into envelopes that each fit a byte budget (the gossip message limit),
 * by adding up an upper bound of each entry's encoded size rather than encoding and retrying.
 */

/**
 * Bytes of an envelope outside its entries and strings, at most: outer array, version, body
 * bin32 header, signature bin8 header and 64 bytes (73); body array, origin bin8 (40), seq and
 * created_at as int64 (9 + 9), kind (1), part and parts up to MAX_PARTS (3 + 3), payload bin32
 * header (5), array header (1) (71); payload array, base_day as int64, two array32 headers (20).
 */
const ENVELOPE_OVERHEAD = 73 + 71 + 20

/** msgpack bytes of an integer as pack() writes it; 9 (int64 or float64) for anything larger. */
function intSize (v: number): number {
  if (v >= 0) return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x1_0000_0000 ? 5 : 9
  return v >= -32 ? 1 : v >= -0x80 ? 2 : v >= -0x8000 ? 3 : v >= -0x8000_0000 ? 5 : 9
}

function arrayHeaderSize (n: number): number {
  return n < 16 ? 1 : n < 0x10000 ? 3 : 5
}

export function chunkEntries (entries: readonly CounterEntry[], maxBytes: number, maxEntries: number = MAX_ENTRIES): CounterEntry[][] {
  // day offsets from the smallest day of all entries bound those from any chunk's own base day
  let minDay = entries[0]?.day ?? 0
  for (const e of entries) minDay = Math.min(minDay, e.day)
  const stringSizes = new Map<string, number>()
  const stringSize = (s: string): number => {
    let size = stringSizes.get(s)
    if (size === undefined) {
      size = pack(s).length
      stringSizes.set(s, size)
    }
    return size
  }

  const chunks: CounterEntry[][] = []
  let chunk: CounterEntry[] = []
  let table = new Map<string, number>()
  let size = ENVELOPE_OVERHEAD

  /** The entry's bytes plus those of the strings it adds to the current chunk's table. */
  const cost = (e: CounterEntry): number => {
    const hist = histWire(e.hist)
    let bytes = arrayHeaderSize(ENTRY_FIXED + hist.length) + intSize(e.day - minDay)
    const added = new Map<string, number>()
    for (const s of [e.taskType, e.tool, e.model]) {
      let index = table.get(s) ?? added.get(s)
      if (index === undefined) {
        index = table.size + added.size
        added.set(s, index)
        bytes += stringSize(s)
      }
      bytes += intSize(index)
    }
    for (const f of COUNTER_SCALARS) bytes += intSize(e[f])
    for (const v of hist) bytes += intSize(v)
    return bytes
  }

  for (const e of entries) {
    let c = cost(e)
    if (chunk.length > 0 && (size + c > maxBytes || chunk.length >= maxEntries)) {
      chunks.push(chunk)
      chunk = []
      table = new Map()
      size = ENVELOPE_OVERHEAD
      c = cost(e)
    }
    if (size + c > maxBytes) throw new RangeError(`one entry needs ${ENVELOPE_OVERHEAD + c} bytes, more than the ${maxBytes}-byte limit`)
    for (const s of [e.taskType, e.tool, e.model]) if (!table.has(s)) table.set(s, table.size)
    chunk.push(e)
    size += c
  }
  chunks.push(chunk)
  return chunks
}

export interface BatchInput {
  /** seq of the first envelope; the batch uses firstSeq .. firstSeq + result.length - 1 */
  firstSeq: number
  kind: EnvelopeKind
  createdAtMs: number
  entries: readonly CounterEntry[]
}

/**
 * Encodes entries as one batch of envelopes of at most `maxBytes` each, numbered as parts of the
 * batch (a receiver knows a snapshot is complete once it holds every part). No entries still
 * give one envelope: an empty snapshot says the origin has no live keys.
 */
export function encodeBatch (input: BatchInput, privateKey: Ed25519PrivateKey, maxBytes: number = MAX_GOSSIP_BYTES): Uint8Array[] {
  const chunks = chunkEntries(input.entries, maxBytes)
  if (chunks.length > MAX_PARTS) throw new RangeError(`${chunks.length} parts, at most ${MAX_PARTS}: raise maxBytes`)
  return chunks.map((entries, part) => {
    const bytes = encodeEnvelope({ seq: input.firstSeq + part, kind: input.kind, createdAtMs: input.createdAtMs, part, parts: chunks.length, entries }, privateKey)
    // the size bound above is an upper bound by construction; this guards the construction
    if (bytes.length > maxBytes) throw new Error(`envelope of ${bytes.length} bytes exceeds ${maxBytes}: size bound broken`)
    return bytes
  })
}
