import { afterEach, describe, expect, it } from 'vitest'
import type { HiveNode } from '../src/hive/node.js'
import { NODE_DEFAULTS } from '../src/hive/node.js'
import { addressOf, eventually, startNode } from './helpers/hive.js'

// A change reaches the hive within publishDelayS of being recorded (debounced: one delta per
// period), not at the next periodic export (an hour here, 300 s by default).

const running: HiveNode[] = []
afterEach(async () => { await Promise.all(running.splice(0).map(async n => { await n.stop() })) })
async function node (options: Parameters<typeof startNode>[0] = {}): Promise<HiveNode> {
  const n = await startNode({ exportIntervalS: 3600, syncIntervalS: 3600, ...options })
  running.push(n)
  return n
}
const selfSeq = (n: HiveNode): number => n.local.tracker.store.exchange.origins().find(o => o.self)?.lastSeq ?? -1
const hiveN = (n: HiveNode): number => n.local.tracker.best('bug_fix', { scope: 'hive', minSamples: 1 }).ranking.reduce((s, a) => s + a.n, 0)

describe('publish delay', () => {
  it('defaults to 10 s', () => {
    expect(NODE_DEFAULTS.publishDelayS).toBe(10)
  })

  it('a burst of outcomes goes out as one delta within the delay and reaches a peer by gossip', async () => {
    const a = await node({ publishDelayS: 1 })
    const b = await node({ bootstrap: [addressOf(a)] })
    await eventually(() => a.network.meshPeers().length === 1 && b.network.meshPeers().length === 1)
    const seqAfterStart = selfSeq(a)
    const next = a.status().next_export as { changes_at: string, periodic_at: string, periodic_kind: string }
    expect(Date.parse(next.changes_at) - Date.now()).toBeLessThanOrEqual(1000)
    expect(Date.parse(next.periodic_at) - Date.now()).toBeGreaterThan(3500_000)

    const recordedAt = Date.now()
    for (let i = 0; i < 5; i++) a.local.tracker.record({ task_type: 'bug_fix', tool: 'aider', outcome: 'pass' })
    await eventually(() => hiveN(b) === 5, 5000, 20)
    expect(Date.now() - recordedAt).toBeLessThan(2500)
    expect(selfSeq(a)).toBe(seqAfterStart + 1) // one delta for the burst
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(selfSeq(a)).toBe(seqAfterStart + 1) // nothing new: nothing published
  })

  it('0 turns it off: changes wait for the periodic export', async () => {
    const a = await node({ publishDelayS: 0 })
    const seq = selfSeq(a)
    a.local.tracker.record({ task_type: 'bug_fix', tool: 'aider', outcome: 'pass' })
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(selfSeq(a)).toBe(seq)
    expect((a.status().next_export as { changes_at: string | null }).changes_at).toBeNull()
  })
})
