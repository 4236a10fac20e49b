import { describe, expect, it } from 'vitest'
import { createRejectLimiter } from '../src/hive/reject-limiter.js'

describe('reject limiter', () => {
  it('blocks a key after the threshold and releases it as the count decays', () => {
    const limiter = createRejectLimiter({ threshold: 3, halfLifeMs: 1000 })
    limiter.note('peer:a', 0)
    limiter.note('peer:a', 0)
    expect(limiter.blocked('peer:a', 0)).toBe(false)
    limiter.note('peer:a', 0)
    expect(limiter.blocked('peer:a', 0)).toBe(true)
    expect(limiter.blocked('peer:b', 0)).toBe(false)
    expect(limiter.blockedKeys(0)).toEqual(['peer:a'])
    expect(limiter.blocked('peer:a', 1000)).toBe(false) // halved to 1.5
  })
})
