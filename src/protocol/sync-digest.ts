import { HivebenchError } from '../errors.js'
import { ProtocolError } from './errors.js'
import { SYNC } from './frames.js'
import { isBytes, pack, toInt, unpackStrict, type WireValue } from './msgpack.js'
import { decodeSeqSet, encodeSeqSet, SeqSetError } from './seq-set.js'

/**
 * The sync request (protocol/README.md, "Sync"): the requester's hive name and what it holds,
 * per origin: the first seq of its newest complete snapshot and the seqs it holds, as
 * inclusive ranges. A responder in another hive answers nothing: two hives can share a
 * transport (and a bootstrap peer) without mixing.
 * msgpack: [version, hive, [[origin peer id (str), snapshot_seq, seqs], ...], page?], where seqs
 * is [[from, to], ...] in version 1 and a compact seq set (bin, seq-set.ts) in version 2.
 */
export interface SyncRequest {
  hive: string
  digests: OriginDigest[]
  /**
   * A page of the origin space (r2): the digests cover the origins with from <= id < to (peer
   * id text, '' = open), and the responder answers for those origins only. Absent: all origins.
   */
  range?: { from: string, to: string }
}

export interface OriginDigest {
  origin: string
  snapshotSeq: number
  ranges: Array<[number, number]>
}

export const MAX_DIGEST_ORIGINS = 100_000
export const MAX_DIGEST_RANGES = 4_096

/** Collapses sorted seqs into inclusive ranges: [1,2,3,7] -> [[1,3],[7,7]]. */
export function toRanges (sortedSeqs: number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  for (const seq of sortedSeqs) {
    const last = ranges[ranges.length - 1]
    if (last !== undefined && seq === last[1] + 1) last[1] = seq
    else ranges.push([seq, seq])
  }
  // Past the bound, keep the newest ranges: the peer then resends a little more, never less.
  return ranges.slice(-MAX_DIGEST_RANGES)
}

export function inRanges (ranges: ReadonlyArray<[number, number]>, seq: number): boolean {
  return ranges.some(([from, to]) => seq >= from && seq <= to)
}

/**
 * Request versions: 1 lists each origin's seqs as msgpack [from, to] pairs (/hivebench/sync/1.0.0);
 * 2 as one compact seq set (seq-set.ts: a bitmap or delta-coded ranges, whichever is shorter),
 * about 35x smaller for fragmented seqs (/hivebench/sync/2.0.0). The protocol id a stream
 * negotiated (multistream-select) says which version its request is written in.
 */
export type SyncRequestVersion = 1 | 2

export function syncRequestVersionOf (protocolId: string): SyncRequestVersion {
  return protocolId === SYNC.compactProtocolId ? 2 : 1
}

const digestWire = (d: OriginDigest, version: SyncRequestVersion): WireValue[] =>
  [d.origin, d.snapshotSeq, version === 1 ? d.ranges.map(([a, b]) => [a, b]) : encodeSeqSet(d.ranges)]

const requestWire = (version: SyncRequestVersion, hive: string, digests: WireValue[], range: SyncRequest['range']): Uint8Array =>
  pack(range === undefined ? [version, hive, digests] : [version, hive, digests, [range.from, range.to]])

export function encodeSyncRequest (request: SyncRequest, version: SyncRequestVersion = 1): Uint8Array {
  return requestWire(version, request.hive, request.digests.map(d => digestWire(d, version)), request.range)
}

/** An upper bound of one digest's encoded bytes: array and str headers, the text, snapshot_seq, then the seq set. */
function digestBytes (d: OriginDigest, wire: WireValue[]): number {
  const seqs = wire[2]
  return 5 + Buffer.byteLength(d.origin) + 9 + 5 + (seqs instanceof Uint8Array ? seqs.length : d.ranges.length * 19)
}

/**
 * Splits digests (sorted by origin) into page requests of at most `maxBytes` each, covering the
 * whole origin space between them: one request (no range) when everything fits. Each page is
 * packed as soon as the next one starts, so only one page's wire values are held at a time (and
 * digests given as a generator are built one at a time).
 */
export function pageSyncRequests (hive: string, sortedDigests: Iterable<OriginDigest>, maxBytes: number, version: SyncRequestVersion = 1): Uint8Array[] {
  const pages: Uint8Array[] = []
  let page: { from: string, wires: WireValue[] } = { from: '', wires: [] }
  let size = 0
  for (const d of sortedDigests) {
    const wire = digestWire(d, version)
    const bytes = digestBytes(d, wire)
    if (size + bytes > maxBytes - 256 && page.wires.length > 0) {
      pages.push(requestWire(version, hive, page.wires, { from: page.from, to: d.origin }))
      page = { from: d.origin, wires: [] }
      size = 0
    }
    page.wires.push(wire)
    size += bytes
  }
  pages.push(requestWire(version, hive, page.wires, pages.length === 0 ? undefined : { from: page.from, to: '' }))
  return pages
}

function bad (detail: string): never {
  throw new HivebenchError('SYNC_REQUEST', `malformed sync request: ${detail}`)
}

/** Parses a peer's sync request; anything malformed is a HivebenchError (the stream is then reset). */
export function decodeSyncRequest (bytes: Uint8Array): SyncRequest {
  let value: unknown
  try {
    value = unpackStrict(bytes, 5, 'R2', 'sync request') // request > digests > digest > ranges > range
  } catch (err) {
    if (err instanceof ProtocolError) bad(err.message)
    throw err
  }
  if (!Array.isArray(value) || (value.length !== 3 && value.length !== 4)) bad('must be [version, hive, digests] or [version, hive, digests, [from, to]]')
  let range: SyncRequest['range']
  if (value.length === 4) {
    const r = value[3] as unknown
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'string' || typeof r[1] !== 'string') bad('range must be [from, to] peer id strings')
    range = { from: r[0], to: r[1] }
  }
  const version = toInt(value[0])
  if (version !== 1 && version !== 2) bad(`unknown version ${String(value[0])}`)
  if (typeof value[1] !== 'string') bad('hive must be a string')
  const list = value[2] as unknown
  if (!Array.isArray(list) || list.length > MAX_DIGEST_ORIGINS) bad('digests must be an array of bounded length')
  const digests = list.map((d: unknown): OriginDigest => {
    if (!Array.isArray(d) || d.length !== 3 || typeof d[0] !== 'string') bad('digest must be [origin, snapshot_seq, seqs]')
    const snapshotSeq = toInt(d[1])
    if (snapshotSeq === undefined || snapshotSeq < 0) bad('bad snapshot_seq')
    return { origin: d[0] as string, snapshotSeq, ranges: version === 1 ? rangesV1(d[2]) : seqSetV2(d[2]) }
  })
  return { hive: value[1] as string, digests, ...(range === undefined ? {} : { range }) }
}

function rangesV1 (ranges: unknown): Array<[number, number]> {
  if (!Array.isArray(ranges) || ranges.length > MAX_DIGEST_RANGES) bad('ranges must be an array of bounded length')
  return ranges.map((r: unknown): [number, number] => {
    const from = Array.isArray(r) ? toInt(r[0]) : undefined
    const to = Array.isArray(r) ? toInt(r[1]) : undefined
    if (from === undefined || to === undefined || from > to) bad('range must be [from, to] with from <= to')
    return [from, to]
  })
}

function seqSetV2 (seqs: unknown): Array<[number, number]> {
  if (!isBytes(seqs)) bad('seqs must be a bin (a compact seq set)')
  try {
    return decodeSeqSet(seqs, MAX_DIGEST_RANGES)
  } catch (err) {
    if (err instanceof SeqSetError) bad(`seq set: ${err.message}`)
    throw err
  }
}
