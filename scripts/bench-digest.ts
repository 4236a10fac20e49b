import '../src/polyfill.js'
import { parseArgs } from 'node:util'
import { MAX_ENVELOPE_BYTES } from '../src/protocol/index.js'
import { decodeSyncRequest, pageSyncRequests, toRanges, type OriginDigest, type SyncRequestVersion } from '../src/protocol/sync-digest.js'
import { fmt, rng } from './lib/measure.js'
import { plainTable } from './lib/plain-table.js'

/**
 * npm run bench:digest — bytes and pages of one node's sync request (all pages, half a frame
 * each, as the node sends them) for 20,000 and 100,000 origins, version 1 ([from, to] pairs, the
 * baseline) against version 2 (compact seq sets), in one run, through the real encoder and
 * decoder. Each origin holds its newest snapshot and the deltas after it (MAX_DELTAS_PER_ORIGIN
 * = 256 at most), in four shapes: contiguous (snapshot + 256 deltas, nothing missing),
 * fragmented (256 of 512 seqs, every other one missing: the 256 deltas each),
 * random-half (256 of 512 seqs at random), sparse (32 seqs 100 apart: a peer that catches one
 * delta in a hundred). Peer ids are 52-character texts shaped like Ed25519 ones (the sizes
 * matter, not the keys); seqs start at 8,000 + (origin mod 1,000).
 */
const { values } = parseArgs({ options: { origins: { type: 'string', default: '20000,100000' }, seed: { type: 'string', default: '1' } } })
const counts = String(values.origins).split(',').map(Number)
const random = rng(Number(values.seed))
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

const shapes: Record<string, (base: number) => number[]> = {
  contiguous: base => Array.from({ length: 257 }, (_, i) => base + i),
  fragmented: base => Array.from({ length: 256 }, (_, i) => base + 2 * i),
  'random-half': base => Array.from({ length: 512 }, (_, i) => base + i).filter(() => random() < 0.5),
  sparse: base => Array.from({ length: 32 }, (_, i) => base + 100 * i)
}

function digestsOf (origins: number, shape: (base: number) => number[]): OriginDigest[] {
  const digests = Array.from({ length: origins }, (_, i) => {
    const base = 8_000 + (i % 1_000)
    const id = '12D3KooW' + Array.from({ length: 44 }, () => BASE58[Math.floor(random() * 58)]).join('')
    return { origin: id, snapshotSeq: base, ranges: toRanges(shape(base)) }
  })
  return digests.sort((a, b) => a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0)
}

const table = plainTable(['origins', 'seqs held per origin', 'v1 bytes', 'v1 pages', 'v2 bytes', 'v2 pages', 'v1 / v2', 'v2 B per origin', 'v1 encode ms', 'v2 encode ms', 'v2 decode ms'])
/** Encodes every page of `origins` digests of one shape in both versions (the digests are dropped before anything is decoded). */
function encodeBoth (origins: number, shape: (base: number) => number[]): Array<{ pages: Uint8Array[], encodeMs: number }> {
  const digests = digestsOf(origins, shape)
  return ([1, 2] as SyncRequestVersion[]).map(version => {
    const t0 = performance.now()
    const pages = pageSyncRequests('default', digests, MAX_ENVELOPE_BYTES / 2, version)
    return { pages, encodeMs: performance.now() - t0 }
  })
}

for (const origins of counts) {
  for (const [name, shape] of Object.entries(shapes)) {
    const [v1, v2] = encodeBoth(origins, shape)
    if (v1 === undefined || v2 === undefined) throw new Error('two versions encoded')
    // decoding every version-1 page of 100,000 fragmented origins takes minutes: version 2 only
    const t0 = performance.now()
    let decoded = 0
    for (const page of v2.pages) decoded += decodeSyncRequest(page).digests.length
    const decodeMs = performance.now() - t0
    if (decoded !== origins) throw new Error(`decoded ${decoded} digests of ${origins}`)
    const bytes = (pages: Uint8Array[]): number => pages.reduce((s, p) => s + p.length, 0)
    table.push([fmt(origins), name, fmt(bytes(v1.pages)), fmt(v1.pages.length), fmt(bytes(v2.pages)), fmt(v2.pages.length), `${(bytes(v1.pages) / bytes(v2.pages)).toFixed(1)}x`,
      fmt(bytes(v2.pages) / origins, 1), fmt(v1.encodeMs), fmt(v2.encodeMs), fmt(decodeMs)])
  }
}
console.log(`sync request, all pages (at most ${fmt(MAX_ENVELOPE_BYTES / 2)} bytes each); v1 = [from, to] pairs (baseline), v2 = compact seq sets`)
console.log(table.toString())
