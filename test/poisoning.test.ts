import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { dayOf } from '../src/core/time.js'
import { emptyCounters } from '../src/core/types.js'
import { encodeEnvelope } from '../src/protocol/index.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const now = (): number => NOW
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

const outcomes = (tool: string, pass: number, fail: number): unknown[] => [
  ...Array.from({ length: pass }, () => ({ task_type: 'bug_fix', tool, outcome: 'pass' })),
  ...Array.from({ length: fail }, () => ({ task_type: 'bug_fix', tool, outcome: 'grader_fail' }))
]

/** A lying origin's validly signed snapshot: 1,000,000 passes for `tool`. */
async function lie (tool: string): Promise<Uint8Array> {
  const key = await generateKeyPair('Ed25519')
  const entry = { ...emptyCounters(), taskType: 'bug_fix', tool, model: '', day: dayOf(NOW), n: 1_000_000, pass: 1_000_000 }
  return encodeEnvelope({ seq: 1, kind: 'snapshot', createdAtMs: NOW, entries: [entry] }, key as never)
}

async function hive (originCap: number): Promise<TestNode> {
  const me = await fileNode({ now, originCap })
  open.push(me)
  for (let i = 0; i < 10; i++) {
    const honest = await fileNode({ now })
    open.push(honest)
    honest.tracker.recordBatch([...outcomes('good', 48, 12), ...outcomes('bad', 10, 40)]) // 80% vs 20%
    for (const e of honest.sharing.export('snapshot')!.envelopes) expect(me.receiver.receive(e).verdict).toBe('accepted')
  }
  expect(me.receiver.receive(await lie('bad')).verdict).toBe('accepted')
  return me
}

describe('poisoning resistance (10 honest origins, 1 liar claiming 1,000,000 passes)', () => {
  it('the honest best stays best, and the lie moves the bad arm by at most the cap arithmetic', async () => {
    const me = await hive(100)
    const r = me.tracker.best('bug_fix')
    expect(r.best?.tool).toBe('good')
    const bad = r.ranking.find(a => a.tool === 'bad')!
    // true counts are reported...
    expect(bad).toMatchObject({ n: 1_000_500, pass: 1_000_100, origins: 11, weighted_n: 600 })
    // ...but the ranking weighs the liar as 100 samples: pass rate at most (100 + 100) / (500 + 100) = 1/3
    const honestN = 500
    const honestPass = 100
    const bound = (honestPass + 100) / (honestN + 100)
    expect(bad.wilson_upper).toBeLessThan(0.4)
    expect(bad.wilson_lower).toBeLessThan(bound)
    expect(bad.wilson_lower).toBeLessThan(r.best!.wilson_lower)
  })

  it('without the cap the lie would win: the cap is what holds', async () => {
    const me = await hive(Number.MAX_SAFE_INTEGER)
    expect(me.tracker.best('bug_fix').best?.tool).toBe('bad')
  })
})

describe('absurd counters (hostile origins at the edges of R14)', () => {
  it('many origins claiming 2^53 - 1 per entry neither hang queries nor break the store the next day', async () => {
    let now = NOW
    const me = await fileNode({ now: () => now })
    open.push(me)
    const max = Number.MAX_SAFE_INTEGER
    for (let o = 0; o < 36; o++) {
      const key = await generateKeyPair('Ed25519')
      const entries = Array.from({ length: 30 }, (_, d) => ({
        ...emptyCounters(), taskType: 'bug_fix', tool: 'evil', model: '', day: dayOf(NOW) - d,
        n: max, pass: max, nDuration: max, hist: new Map([[100, max]])
      }))
      expect(me.receiver.receive(encodeEnvelope({ seq: 1, kind: 'snapshot', createdAtMs: NOW, entries }, key as never)).verdict).toBe('accepted')
    }
    expect(me.tracker.best('bug_fix').ranking[0].tool).toBe('evil')
    now += 86_400_000 // the window rolls: the rollup is rebuilt from the day counters
    me.tracker.record({ task_type: 'bug_fix', tool: 'good', success: true })
    expect(me.tracker.best('bug_fix', { minSamples: 1 }).ranking.map(a => a.tool)).toContain('good')
    expect(me.sharing.export('snapshot')).not.toBeNull()
  })
})
