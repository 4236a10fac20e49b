import { HivebenchError } from '../errors.js'
import { PROTOCOL_VERSION } from './constants.js'
import { ProtocolError } from './errors.js'
import { pack, toInt, unpackStrict } from './msgpack.js'

/**
 * The sync request (protocol/README.md, "Sync"): the requester's hive name and what it holds,
 * per origin: the first seq of its newest complete snapshot and the seqs it holds, as
 * inclusive ranges. A responder in another hive answers nothing: two hives can share a
 * transport (and a bootstrap peer) without mixing.
 * msgpack: [version, hive, [[origin peer id (str), snapshot_seq, [[from, to], ...]], ...]]
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

export function encodeSyncRequest (request: SyncRequest): Uint8Array {
  const digests = request.digests.map(d => [d.origin, d.snapshotSeq, d.ranges.map(([a, b]) => [a, b])])
  return pack(request.range === undefined
    ? [PROTOCOL_VERSION, request.hive, digests]
    : [PROTOCOL_VERSION, request.hive, digests, [request.range.from, request.range.to]])
}

/** An upper bound of one digest's encoded bytes (str header + text, two uint64 per range). */
const digestBytes = (d: OriginDigest): number => 5 + d.origin.length * 3 + 9 + 5 + d.ranges.length * 19

/**
 * Splits digests (sorted by origin) into page requests of at most `maxBytes` each, covering the
 * whole origin space between them: one request (no range) when everything fits.
 */
export function pageSyncRequests (hive: string, sortedDigests: OriginDigest[], maxBytes: number): Uint8Array[] {
  // each page starts at its first origin; the first from the start of the space, the last to its end
  let page = { from: '', digests: [] as OriginDigest[] }
  const pages = [page]
  let size = 0
  for (const d of sortedDigests) {
    const bytes = digestBytes(d)
    if (size + bytes > maxBytes - 256 && page.digests.length > 0) {
      page = { from: d.origin, digests: [] }
      pages.push(page)
      size = 0
    }
    page.digests.push(d)
    size += bytes
  }
  if (pages.length === 1) return [encodeSyncRequest({ hive, digests: page.digests })]
  return pages.map(({ from, digests }, i) => encodeSyncRequest({ hive, digests, range: { from, to: pages[i + 1]?.from ?? '' } }))
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
  if (toInt(value[0]) !== PROTOCOL_VERSION) bad(`unknown version ${String(value[0])}`)
  if (typeof value[1] !== 'string') bad('hive must be a string')
  const list = value[2] as unknown
  if (!Array.isArray(list) || list.length > MAX_DIGEST_ORIGINS) bad('digests must be an array of bounded length')
  const digests = list.map((d: unknown): OriginDigest => {
    if (!Array.isArray(d) || d.length !== 3 || typeof d[0] !== 'string') bad('digest must be [origin, snapshot_seq, ranges]')
    const snapshotSeq = toInt(d[1])
    const ranges = d[2] as unknown
    if (snapshotSeq === undefined || snapshotSeq < 0 || !Array.isArray(ranges) || ranges.length > MAX_DIGEST_RANGES) bad('bad snapshot_seq or ranges')
    return {
      origin: d[0] as string,
      snapshotSeq,
      ranges: ranges.map((r: unknown): [number, number] => {
        const from = Array.isArray(r) ? toInt(r[0]) : undefined
        const to = Array.isArray(r) ? toInt(r[1]) : undefined
        if (from === undefined || to === undefined || from > to) bad('range must be [from, to] with from <= to')
        return [from, to]
      })
    }
  })
  return { hive: value[1] as string, digests, ...(range === undefined ? {} : { range }) }
}
