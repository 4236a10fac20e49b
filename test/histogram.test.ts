import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucketOf, decodeHist, encodeHist, mergeEncodedHists, quantiles, RELATIVE_ACCURACY, UPPER_BOUNDS } from '../src/core/histogram.js'

describe('latency histogram', () => {
  it('quantiles are within the relative accuracy of the exact value at rank floor(q (n - 1))', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.002, max: 604800, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
      const hist = new Map<number, number>()
      for (const v of values) hist.set(bucketOf(v), (hist.get(bucketOf(v)) ?? 0) + 1)
      const sorted = [...values].sort((a, b) => a - b)
      const qs = [0.5, 0.9]
      quantiles(encodeHist(hist), qs).forEach((estimate, i) => {
        const exact = sorted[Math.floor(qs[i] * (values.length - 1))]
        expect(Math.abs(estimate! - exact) / exact).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-12)
      })
    }))
  })

  it('buckets cover 1 ms to 7 days with increasing bounds', () => {
    expect(UPPER_BOUNDS[0]).toBe(0.001)
    expect(UPPER_BOUNDS[UPPER_BOUNDS.length - 1]).toBeGreaterThanOrEqual(604800)
    for (let k = 1; k < UPPER_BOUNDS.length; k++) expect(UPPER_BOUNDS[k]).toBeGreaterThan(UPPER_BOUNDS[k - 1])
    expect(quantiles(encodeHist(new Map()), [0.5])).toEqual([null])
    expect(quantiles(null, [0.5])).toEqual([null])
  })

  it('huge counts round-trip, and truncated or garbage blobs never hang the decoder', () => {
    const huge = new Map([[3, 2 ** 53 - 1], [7, 2 ** 62], [9, 9 * 2 ** 53]])
    expect(decodeHist(encodeHist(huge))).toEqual(huge)
    const sum = decodeHist(mergeEncodedHists(encodeHist(huge), encodeHist(huge), (x, y) => x + y))
    expect(sum.get(7)).toBe(2 ** 63)
    expect(decodeHist(Buffer.from([5, 0xff, 0xff]))).toEqual(new Map([[5, 0x3fff]]))
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
      decodeHist(a)
      mergeEncodedHists(a, b, Math.max)
    }))
  })

  it('encoded merges equal Map merges (sum and max)', () => {
    const histArb = fc.array(fc.tuple(fc.nat(UPPER_BOUNDS.length - 1), fc.integer({ min: 1, max: 2 ** 40 })), { maxLength: 30 }).map(p => new Map(p))
    fc.assert(fc.property(histArb, histArb, (a, b) => {
      const sum = new Map(a)
      const max = new Map(a)
      for (const [k, v] of b) { sum.set(k, (sum.get(k) ?? 0) + v); max.set(k, Math.max(max.get(k) ?? 0, v)) }
      expect(decodeHist(mergeEncodedHists(encodeHist(a), encodeHist(b), (x, y) => x + y))).toEqual(new Map([...sum].sort((x, y) => x[0] - y[0])))
      expect(decodeHist(mergeEncodedHists(encodeHist(a), encodeHist(b), Math.max))).toEqual(new Map([...max].sort((x, y) => x[0] - y[0])))
      expect(decodeHist(encodeHist(a))).toEqual(new Map([...a].sort((x, y) => x[0] - y[0])))
    }))
  })
})
