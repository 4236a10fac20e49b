import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_RANK_POLICY, leaveOutLower, NEW_ORIGINS, originWeights, poolNewOrigins, weightsByOrigin, type OriginCounts } from '../src/core/ranking.js'

const origins = fc.uniqueArray(fc.record({ origin: fc.integer({ min: 0, max: 50 }), n: fc.integer({ min: 1, max: 1000 }), pass: fc.integer({ min: 0, max: 1000 }) }), { selector: o => o.origin, minLength: 1, maxLength: 12 })
  .map(list => list.map(o => ({ ...o, pass: Math.min(o.pass, o.n) })))

describe('seniority: pooling new origins (core/ranking.ts)', () => {
  it('keeps the totals, leaves senior origins as they are, and makes one origin of any number of new ones', () => {
    fc.assert(fc.property(origins, fc.array(fc.integer({ min: 0, max: 50 })), (perOrigin, fresh) => {
      const newOrigins = new Set(fresh)
      const pooled = poolNewOrigins(perOrigin, newOrigins)
      const sum = (l: OriginCounts[]): [number, number] => [l.reduce((s, o) => s + o.n, 0), l.reduce((s, o) => s + o.pass, 0)]
      expect(sum(pooled)).toEqual(sum(perOrigin))
      expect(pooled.filter(o => o.origin !== NEW_ORIGINS)).toEqual(perOrigin.filter(o => !newOrigins.has(o.origin)))
      expect(pooled.filter(o => o.origin === NEW_ORIGINS).length).toBe(perOrigin.some(o => newOrigins.has(o.origin)) ? 1 : 0)
    }))
  })

  it('k new origins can lift an arm\'s key no higher than one origin with their summed counts can', () => {
    fc.assert(fc.property(origins, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1000 }), (senior, k, n) => {
      const sybils = Array.from({ length: k }, (_, i) => ({ origin: 100 + i, n, pass: n }))
      const newOrigins = new Set(sybils.map(o => o.origin))
      const key = (l: OriginCounts[], fresh?: ReadonlySet<number>): number => leaveOutLower(originWeights(poolNewOrigins(l, fresh), DEFAULT_RANK_POLICY), 1)
      const asOne = key([...senior, { origin: 100, n: n * k, pass: n * k }])
      expect(key([...senior, ...sybils], newOrigins)).toBeCloseTo(asOne, 12)
    }))
  })

  it('the breakdown\'s weights sum to the ranking\'s weighted n', () => {
    fc.assert(fc.property(origins, fc.array(fc.integer({ min: 0, max: 50 })), (perOrigin, fresh) => {
      const newOrigins = new Set(fresh)
      const total = originWeights(poolNewOrigins(perOrigin, newOrigins), DEFAULT_RANK_POLICY).reduce((s, w) => s + w.n, 0)
      expect(weightsByOrigin(perOrigin, DEFAULT_RANK_POLICY, newOrigins).reduce((s, w) => s + w.n, 0)).toBeCloseTo(total, 6)
    }))
  })
})
