import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeSeqSet, encodeSeqSet, SeqSetError, type SeqRanges } from '../../src/protocol/seq-set.js'
import { decodeSyncRequest, encodeSyncRequest, MAX_DIGEST_RANGES, toRanges } from '../../src/protocol/sync-digest.js'

/** A seq set as sorted distinct seqs: near a base (dense, fragmented, sparse, or up to 2^53 - 1). */
const seqsArb = fc.oneof(
  fc.tuple(fc.nat(1e6), fc.uniqueArray(fc.nat(600), { maxLength: 300 })),
  fc.tuple(fc.nat(1e6), fc.uniqueArray(fc.nat(1e5), { maxLength: 50 })),
  fc.tuple(fc.constant(Number.MAX_SAFE_INTEGER - 1000), fc.uniqueArray(fc.nat(1000), { maxLength: 40 }))
).map(([base, offsets]) => offsets.map(o => base + o).sort((a, b) => a - b))

const seqsOf = (ranges: SeqRanges): number[] => ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i))
const rangesOf = (seqs: number[]): SeqRanges => toRanges(seqs)

describe('compact seq sets (sync request version 2)', () => {
  it('protocol/seq-set-vectors.json: each valid vector decodes to its set and back to its bytes; each invalid one is refused', () => {
    const vectors = JSON.parse(readFileSync(new URL('../../protocol/seq-set-vectors.json', import.meta.url), 'utf8')) as Array<{ name: string, hex: string, ranges: SeqRanges | null }>
    expect(vectors.filter(v => v.ranges === null).length).toBeGreaterThanOrEqual(8)
    for (const v of vectors) {
      const bytes = Uint8Array.from(Buffer.from(v.hex, 'hex'))
      if (v.ranges === null) expect(() => decodeSeqSet(bytes, MAX_DIGEST_RANGES), v.name).toThrow(SeqSetError)
      else {
        expect(decodeSeqSet(bytes, MAX_DIGEST_RANGES), v.name).toEqual(v.ranges)
        expect(Buffer.from(encodeSeqSet(v.ranges)).toString('hex'), v.name).toBe(v.hex)
      }
    }
  })

  it('round-trip: decode(encode(set)) is the set, as sorted, disjoint, non-adjacent ranges', () => {
    fc.assert(fc.property(seqsArb, (seqs) => {
      const ranges = rangesOf(seqs)
      const decoded = decodeSeqSet(encodeSeqSet(ranges), MAX_DIGEST_RANGES)
      expect(decoded).toEqual(ranges)
      expect(seqsOf(decoded)).toEqual(seqs)
    }), { numRuns: 500 })
  })

  it('canonical: the shorter of the two forms (ranges on a tie), and no other bytes decode', () => {
    fc.assert(fc.property(seqsArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (seqs, at, value) => {
      const bytes = encodeSeqSet(rangesOf(seqs))
      // any one-byte change that still decodes must decode to another set: one set, one encoding
      const mutated = Uint8Array.from(bytes)
      mutated[at % bytes.length] = value
      if (mutated.every((b, i) => b === bytes[i])) return
      let other: SeqRanges | undefined
      try { other = decodeSeqSet(mutated, MAX_DIGEST_RANGES) } catch (err) { expect(err).toBeInstanceOf(SeqSetError); return }
      expect(other).not.toEqual(rangesOf(seqs))
      expect(encodeSeqSet(other)).toEqual(mutated)
    }), { numRuns: 1000 })
  })

  it('picks the bitmap for dense fragmented sets and ranges for sparse or contiguous ones', () => {
    const everyOther = Array.from({ length: 256 }, (_, i) => 8_000 + 2 * i)
    const bitmap = encodeSeqSet(rangesOf(everyOther))
    expect(bitmap[0]).toBe(1)
    expect(bitmap.length).toBe(1 + 2 + 64) // tag, varint 8000, 511 bits
    const contiguous = encodeSeqSet([[8_000, 8_255]])
    expect([...contiguous]).toEqual([0, 0xc0, 0x3e, 0xff, 0x01])
    const sparse = encodeSeqSet(rangesOf(Array.from({ length: 50 }, (_, i) => 1_000 + 100 * i)))
    expect(sparse[0]).toBe(0)
    expect([...encodeSeqSet([])]).toEqual([0])
    expect([...encodeSeqSet([[5, 5]])]).toEqual([1, 5]) // a singleton: the bitmap of its base alone
  })

  it('refuses overlapping, adjacent, unsorted or unsafe ranges when encoding', () => {
    for (const bad of [[[1, 5], [5, 9]], [[1, 5], [6, 9]], [[7, 9], [1, 2]], [[3, 2]], [[-1, 2]], [[0, Number.MAX_SAFE_INTEGER + 1]]] as SeqRanges[]) {
      expect(() => encodeSeqSet(bad)).toThrow(SeqSetError)
    }
  })

  it('refuses non-canonical bytes: non-minimal varints, a trailing zero byte, the longer form, unknown forms, truncation', () => {
    const cases: Array<[string, number[]]> = [
      ['non-minimal varint', [0, 0x85, 0x00, 0]],
      ['bitmap with a trailing zero byte', [1, 5, 0x01, 0x00]],
      ['ranges where the bitmap is shorter', [0, 5, 0]],
      ['bitmap where ranges are shorter', [1, 0, 0, 0, 0, 0x80]],
      ['unknown form', [2, 5]],
      ['empty', []],
      ['ends inside a varint', [0, 0x80]],
      ['above 2^53 - 1', [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0]]
    ]
    for (const [what, bytes] of cases) expect(() => decodeSeqSet(Uint8Array.from(bytes), MAX_DIGEST_RANGES), what).toThrow(SeqSetError)
    expect(decodeSeqSet(Uint8Array.from([1, 0, 0x80]), MAX_DIGEST_RANGES)).toEqual([[0, 0], [8, 8]])
  })

  it('refuses more than the bound of ranges, bitmap or ranges form', () => {
    const many = rangesOf(Array.from({ length: 11 }, (_, i) => 2 * i))
    expect(decodeSeqSet(encodeSeqSet(many), 11)).toEqual(many)
    expect(() => decodeSeqSet(encodeSeqSet(many), 10)).toThrow(/more than 10 ranges/)
    const far = rangesOf(Array.from({ length: 11 }, (_, i) => 1000 * i))
    expect(encodeSeqSet(far)[0]).toBe(0)
    expect(() => decodeSeqSet(encodeSeqSet(far), 10)).toThrow(/more than 10 ranges/)
  })

  it('a version 2 request carries the same digests as version 1 in far fewer bytes; both decode', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.nat(1e6), seqsArb), { maxLength: 20 }), (list) => {
      const digests = list.map(([origin, snapshotSeq, seqs]) => ({ origin, snapshotSeq, ranges: rangesOf(seqs) }))
      for (const version of [1, 2] as const) {
        expect(decodeSyncRequest(encodeSyncRequest({ hive: 'h', digests }, version))).toEqual({ hive: 'h', digests })
      }
    }), { numRuns: 200 })
    const fragmented = [{ origin: '12D3KooWx', snapshotSeq: 8_000, ranges: rangesOf(Array.from({ length: 256 }, (_, i) => 8_000 + 2 * i)) }]
    const [v1, v2] = [encodeSyncRequest({ hive: 'h', digests: fragmented }, 1), encodeSyncRequest({ hive: 'h', digests: fragmented }, 2)]
    expect(v1.length / v2.length).toBeGreaterThan(20)
  })
})
