import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  chunkEntries, decodeEnvelope, encodeBatch, encodeEnvelope, validateEnvelope, MAX_GOSSIP_BYTES
} from '../../src/protocol/index.js'
import { entriesArb } from './arbitraries.js'
import { NOW_MS, realisticEntries, seededRandom, seedKey } from './helpers.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'

const ctx = { nowMs: NOW_MS, retentionDays: 90 }
let key: Ed25519PrivateKey
let origin: string

beforeAll(async () => {
  key = await seedKey(1)
  origin = peerIdFromPrivateKey(key).toString()
})

describe('envelope round trip', () => {
  it('decodes exactly the entries and header that were encoded', () => {
    fc.assert(fc.property(
      entriesArb(40),
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      fc.constantFrom('delta' as const, 'snapshot' as const),
      fc.integer({ min: 0, max: NOW_MS }),
      (entries, seq, kind, createdAtMs) => {
        const bytes = encodeEnvelope({ seq, kind, createdAtMs, entries }, key)
        const valid = validateEnvelope(bytes, ctx)
        expect(valid).toMatchObject({ origin, seq, kind, createdAtMs, part: 0, parts: 1, staleEntries: 0 })
        expect(valid.entries).toEqual(entries)
        expect(valid.bytes).toBe(bytes)
      }
    ), { numRuns: 300 })
  })

  it('names the signer as origin', () => {
    const bytes = encodeEnvelope({ seq: 7, kind: 'delta', createdAtMs: NOW_MS, entries: [] }, key)
    expect(decodeEnvelope(bytes).origin).toBe(peerIdFromPrivateKey(key).toString())
  })

  it('is deterministic: same input, same bytes', () => {
    const entries = realisticEntries(seededRandom(3), { taskTypes: 3, tools: 2, models: 2, n: 10 })
    const input = { seq: 3, kind: 'snapshot' as const, createdAtMs: NOW_MS, entries }
    expect(encodeEnvelope(input, key)).toEqual(encodeEnvelope(input, key))
  })
})

describe('chunking', () => {
  it('splits into numbered parts under the byte limit that together hold every entry', () => {
    fc.assert(fc.property(entriesArb(60), fc.integer({ min: 2_000, max: 20_000 }), fc.integer({ min: 1, max: 1000 }), (entries, maxBytes, firstSeq) => {
      const envelopes = encodeBatch({ firstSeq, kind: 'snapshot', createdAtMs: NOW_MS, entries }, key, maxBytes)
      const decoded = envelopes.map(bytes => validateEnvelope(bytes, ctx))
      for (const bytes of envelopes) expect(bytes.length).toBeLessThanOrEqual(maxBytes)
      for (const [part, env] of decoded.entries()) expect(env).toMatchObject({ seq: firstSeq + part, part, parts: envelopes.length })
      expect(decoded.flatMap(env => env.entries)).toEqual(entries)
    }), { numRuns: 100 })
  })

  it('fills gossip-sized envelopes nearly full and respects the entry cap', () => {
    const entries = Array.from({ length: 12 }, (_, d) => realisticEntries(seededRandom(d), undefined, 20_400 + d)).flat()
    const envelopes = encodeBatch({ firstSeq: 1, kind: 'snapshot', createdAtMs: NOW_MS, entries }, key)
    expect(envelopes.length).toBeGreaterThan(1)
    for (const bytes of envelopes.slice(0, -1)) expect(bytes.length).toBeGreaterThan(0.98 * MAX_GOSSIP_BYTES)
    expect(chunkEntries(entries, MAX_GOSSIP_BYTES, 100).every(chunk => chunk.length <= 100)).toBe(true)
  })

  it('gives one empty envelope for no entries, and refuses a limit no entry fits', () => {
    expect(encodeBatch({ firstSeq: 1, kind: 'snapshot', createdAtMs: NOW_MS, entries: [] }, key)).toHaveLength(1)
    const entries = realisticEntries(seededRandom(1), { taskTypes: 1, tools: 1, models: 1, n: 5 })
    expect(() => chunkEntries(entries, 100)).toThrow(RangeError)
  })
})

describe('compactness', () => {
  it('stays under 60 bytes per entry for 20 task types x 10 tools x 5 models, ~15 buckets each', () => {
    const entries = realisticEntries(seededRandom(1))
    const bytes = encodeEnvelope({ seq: 1, kind: 'delta', createdAtMs: NOW_MS, entries }, key)
    const buckets = entries.map(e => e.hist.size).sort((a, b) => a - b)[entries.length >> 1]
    expect(buckets).toBeGreaterThanOrEqual(14)
    expect(bytes.length / entries.length).toBeLessThanOrEqual(60)
  })
})
