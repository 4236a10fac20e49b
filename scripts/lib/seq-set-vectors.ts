import { decodeSeqSet, encodeSeqSet, SeqSetError } from '../../src/protocol/seq-set.js'
import { MAX_DIGEST_RANGES } from '../../src/protocol/sync-digest.js'

/**
 * protocol/seq-set-vectors.json (written by gen-vectors.ts): compact seq sets of sync request
 * version 2 (protocol/README.md, "Sync"). A valid vector gives the bytes and the set they encode
 * (inclusive ranges); an invalid one gives bytes a receiver must refuse (the request is then
 * malformed and the stream reset), and why.
 */
export interface SeqSetVector {
  name: string
  description: string
  hex: string
  /** the set, as sorted inclusive [from, to] ranges; null for bytes that must be refused */
  ranges: Array<[number, number]> | null
}

const everyOther = Array.from({ length: 256 }, (_, i): [number, number] => [8_000 + 2 * i, 8_000 + 2 * i])
const valid: Array<Omit<SeqSetVector, 'hex'> & { ranges: Array<[number, number]> }> = [
  { name: 'empty', description: 'No seq held: the ranges form with no range.', ranges: [] },
  { name: 'singleton', description: 'One seq: the bitmap of its base alone (2 bytes; ranges would take 3).', ranges: [[5, 5]] },
  { name: 'contiguous', description: 'A snapshot and 255 deltas after it, nothing missing: one range.', ranges: [[8_000, 8_255]] },
  { name: 'fragmented', description: '256 seqs, every other one missing (the fragmented case of issue 14): a 64-byte bitmap.', ranges: everyOther },
  { name: 'sparse', description: 'Three runs far apart: ranges (gaps stored minus 2).', ranges: [[100, 102], [1_000, 1_000], [50_000, 50_010]] },
  { name: 'tie', description: 'Both forms take 5 bytes: ranges win the tie.', ranges: [[0, 0], [24, 24]] },
  { name: 'seq-epoch', description: 'Seqs of an origin that started a seq epoch (Unix ms): multi-byte varints.', ranges: [[1_795_435_200_000, 1_795_435_200_003]] },
  { name: 'max-safe', description: 'The largest seq a set may hold, 2^53 - 1.', ranges: [[Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]] }
]

const invalid: Array<{ name: string, description: string, bytes: number[] }> = [
  { name: 'bad-empty-bytes', description: 'Zero bytes: the empty set is the single byte 00.', bytes: [] },
  { name: 'bad-unknown-form', description: 'Form 02 does not exist.', bytes: [2, 5] },
  { name: 'bad-non-minimal-varint', description: '5 written as 85 00.', bytes: [0, 0x85, 0x00, 0, 5, 0] },
  { name: 'bad-truncated', description: 'Ends inside a varint.', bytes: [0, 0x80] },
  { name: 'bad-trailing-zero', description: 'A bitmap whose last byte is 00.', bytes: [1, 5, 0x01, 0x00] },
  { name: 'bad-longer-form-ranges', description: '{5} as ranges (3 bytes) where the bitmap takes 2.', bytes: [0, 5, 0] },
  { name: 'bad-longer-form-bitmap', description: '{0, 32} as a bitmap (6 bytes) where ranges take 5.', bytes: [1, 0, 0, 0, 0, 0x80] },
  { name: 'bad-above-max-safe', description: 'A seq of 2^63 - 1, above 2^53 - 1.', bytes: [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0] }
]

export function seqSetVectors (): SeqSetVector[] {
  const hex = (bytes: Uint8Array | number[]): string => Buffer.from(bytes).toString('hex')
  const out: SeqSetVector[] = valid.map(v => ({ name: v.name, description: v.description, hex: hex(encodeSeqSet(v.ranges)), ranges: v.ranges }))
  for (const v of invalid) {
    try {
      decodeSeqSet(Uint8Array.from(v.bytes), MAX_DIGEST_RANGES)
    } catch (err) {
      if (!(err instanceof SeqSetError)) throw err
      out.push({ name: v.name, description: v.description, hex: hex(v.bytes), ranges: null })
      continue
    }
    throw new Error(`invalid seq set vector ${v.name} decodes`)
  }
  return out
}
