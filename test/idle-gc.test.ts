import { describe, expect, it } from 'vitest'
import { createIdleGc, DEFAULT_IDLE_GC, shouldCollect } from '../src/hive/idle-gc.js'

const MiB = 2 ** 20

describe('idle garbage collection', () => {
  it('collects only when the loop was nearly idle and memory grew by the threshold', () => {
    const o = DEFAULT_IDLE_GC
    expect(shouldCollect(0.01, 100 * MiB, 80 * MiB, o)).toBe(true)
    expect(shouldCollect(0.01, 90 * MiB, 80 * MiB, o)).toBe(false) // grew less than 16 MiB
    expect(shouldCollect(0.2, 100 * MiB, 80 * MiB, o)).toBe(true) // an API client polling
    expect(shouldCollect(0.5, 200 * MiB, 80 * MiB, o)).toBe(false) // busy: not now
  })

  it('gives dead Buffers back once the process is quiet', async () => {
    const gc = createIdleGc({ everyS: 0.2, maxUtilization: 1, minGrowthBytes: 16 * MiB })
    await gc.start()
    try {
      let garbage: Buffer[] | undefined = Array.from({ length: 48 }, () => Buffer.alloc(MiB, 1))
      const held = process.memoryUsage().arrayBuffers
      expect(garbage).toHaveLength(48)
      garbage = undefined
      await new Promise(resolve => setTimeout(resolve, 1000))
      expect(gc.collections()).toBeGreaterThanOrEqual(1)
      expect(held - process.memoryUsage().arrayBuffers).toBeGreaterThan(32 * MiB)
    } finally {
      await gc.stop()
    }
  })
})
