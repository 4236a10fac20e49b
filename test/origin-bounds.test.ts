import { afterEach, describe, expect, it } from 'vitest'
import { MAX_KEYS_PER_ORIGIN } from '../src/store/exchange.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

describe('storage one origin can take', () => {
  it(`at most MAX_KEYS_PER_ORIGIN (${MAX_KEYS_PER_ORIGIN}) keys, however many deltas of fresh keys it signs; held keys keep merging`, async () => {
    const me = await fileNode({ now: () => NOW })
    const flooder = await fileNode({ now: () => NOW })
    open.push(me, flooder)
    const verdicts: Record<string, number> = {}
    const batches = Math.ceil(MAX_KEYS_PER_ORIGIN / 1000) + 5
    for (let b = 0; b < batches; b++) {
      flooder.tracker.recordBatch(Array.from({ length: 1000 }, (_, i) => ({ task_type: `t${b}-${i}`, tool: 'x', success: true })))
      for (const e of flooder.sharing.export('delta')?.envelopes ?? []) {
        const v = me.receiver.receive(e)
        const key = v.verdict === 'accepted' ? 'accepted' : `${v.verdict}:${v.rule}`
        verdicts[key] = (verdicts[key] ?? 0) + 1
      }
    }
    const rows = (): number => me.tracker.store.db.prepare('SELECT COUNT(*) FROM counters WHERE origin > 0').pluck().get() as number
    expect(rows()).toBe(MAX_KEYS_PER_ORIGIN)
    expect(verdicts['ignored:R29']).toBeGreaterThanOrEqual(4)
    expect(me.tracker.store.exchange.origins().find(o => o.peerId === flooder.peerId)?.keys).toBe(MAX_KEYS_PER_ORIGIN)
    // a key it already holds still grows
    flooder.tracker.record({ task_type: 't0-0', tool: 'x', success: true })
    const [update] = flooder.sharing.export('delta')?.envelopes ?? []
    expect(me.receiver.receive(update)).toMatchObject({ verdict: 'accepted', keysChanged: 1 })
    expect(me.tracker.best('t0-0', { minSamples: 1 }).best?.n).toBe(2)
  }, 60_000)
})
