import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { dayOf, isoDay } from '../../src/core/time.js'
import { emptyCounters } from '../../src/core/types.js'
import { encodeEnvelope } from '../../src/protocol/index.js'
import { createForget } from '../../src/store/index.js'
import { runCli } from '../helpers/cli.js'
import { fileNode, type TestNode } from '../helpers/nodes.js'
import { startApi } from './helpers.js'

const NOW = Date.now()
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

const outcomes = (tool: string, pass: number, fail: number): unknown[] => [
  ...Array.from({ length: pass }, () => ({ task_type: 'bug_fix', tool, outcome: 'pass' })),
  ...Array.from({ length: fail }, () => ({ task_type: 'bug_fix', tool, outcome: 'grader_fail' }))
]

/** This node (30 outcomes per arm), three honest peers (60 each) and one peer claiming 5,000 passes on 'bad'. */
async function hive (): Promise<{ me: TestNode, liar: string }> {
  const me = await fileNode()
  open.push(me)
  me.tracker.recordBatch([...outcomes('good', 24, 6), ...outcomes('bad', 6, 24)])
  for (let i = 0; i < 3; i++) {
    const peer = await fileNode()
    open.push(peer)
    peer.tracker.recordBatch([...outcomes('good', 48, 12), ...outcomes('bad', 12, 48)])
    for (const e of peer.sharing.export('snapshot')!.envelopes) expect(me.receiver.receive(e).verdict).toBe('accepted')
  }
  const key = await generateKeyPair('Ed25519')
  const entry = { ...emptyCounters(), taskType: 'bug_fix', tool: 'bad', model: '', day: dayOf(NOW), n: 5000, pass: 5000 }
  expect(me.receiver.receive(encodeEnvelope({ seq: 1, kind: 'snapshot', createdAtMs: NOW, entries: [entry] }, key as never)).verdict).toBe('accepted')
  const liar = me.tracker.store.exchange.origins().find(o => !o.self && o.keys === 1)!.peerId
  return { me, liar }
}

describe('GET /v1/arms?by=origin: what each origin contributes to each arm', () => {
  it('splits every arm by origin, and the capped weights add up to the weight the ranking used', async () => {
    const { me, liar } = await hive()
    const api = await startApi({ tracker: me.tracker })
    const r = await api.call('GET', '/v1/arms?task_type=bug_fix&by=origin')
    expect(r.status).toBe(200)
    const best = me.tracker.best('bug_fix')
    expect(r.json.arms.map((a: { tool: string }) => a.tool)).toEqual(best.ranking.map(a => a.tool))
    for (const [i, arm] of r.json.arms.entries()) {
      const ranked = best.ranking[i]
      expect(arm.origins).toHaveLength(ranked.origins)
      expect(arm.origins.reduce((s: number, o: { n: number }) => s + o.n, 0)).toBe(ranked.n)
      expect(arm.origins.reduce((s: number, o: { weighted_n: number }) => s + o.weighted_n, 0)).toBeCloseTo(ranked.weighted_n, 9)
    }
    const bad = r.json.arms.find((a: { tool: string }) => a.tool === 'bad')
    // the liar's 5,000 samples count as the cap (100), at its own pass rate; the honest origins count in full
    expect(bad.origins[0]).toEqual({ origin: liar, self: false, n: 5000, pass: 5000, pass_rate: 1, weighted_n: 100, weighted_pass: 100, capped: true })
    expect(bad.origins.filter((o: { capped: boolean }) => !o.capped).map((o: { n: number }) => o.n).sort()).toEqual([30, 60, 60, 60])
    expect(bad.origins.find((o: { self: boolean }) => o.self)).toMatchObject({ origin: me.peerId, n: 30, pass: 6 })
    expect(bad.weighted_n).toBe(310)
  })

  it('local scope shows this node alone, and by=day gives the day with its pass rate', async () => {
    const { me } = await hive()
    const api = await startApi({ tracker: me.tracker })
    const local = await api.call('GET', '/v1/arms?task_type=bug_fix&by=origin&scope=local')
    expect(local.json.arms.map((a: { origins: unknown[] }) => a.origins)).toEqual([
      [{ origin: me.peerId, self: true, n: 30, pass: 24, pass_rate: 0.8, weighted_n: 30, weighted_pass: 24, capped: false }],
      [{ origin: me.peerId, self: true, n: 30, pass: 6, pass_rate: 0.2, weighted_n: 30, weighted_pass: 6, capped: false }]
    ])
    const days = await api.call('GET', '/v1/arms?task_type=bug_fix&by=day')
    const good = days.json.arms.find((a: { tool: string }) => a.tool === 'good')
    expect(good.days).toEqual([{ day: isoDay(dayOf(NOW)), n: 210, pass: 168, pass_rate: 0.8, p50_s: null, p90_s: null }])
  })

  it('by=day: one point per UTC day with outcomes, with the latency quantiles of that day', async () => {
    const api = await startApi()
    const day = (d: number): string => new Date(NOW - d * 86_400_000).toISOString()
    api.tracker.recordBatch([
      ...Array.from({ length: 10 }, (_, i) => ({ task_type: 'lint', tool: 'x', outcome: i < 8 ? 'pass' : 'timeout', duration_s: 10, at: day(2) })),
      ...Array.from({ length: 10 }, (_, i) => ({ task_type: 'lint', tool: 'x', outcome: i < 3 ? 'pass' : 'error', duration_s: 100, at: day(0) }))
    ])
    const r = await api.call('GET', '/v1/arms?task_type=lint&by=day')
    const days = r.json.arms[0].days
    expect(days.map((d: { day: string, n: number, pass_rate: number }) => [d.day, d.n, d.pass_rate])).toEqual([[isoDay(dayOf(NOW) - 2), 10, 0.8], [isoDay(dayOf(NOW)), 10, 0.3]])
    expect(days[0].p50_s / 10).toBeCloseTo(1, 1)
    expect(days[1].p90_s / 100).toBeCloseTo(1, 1)
    // a window of one day holds today's point only
    const today = await api.call('GET', '/v1/arms?task_type=lint&by=day&window_days=1')
    expect(today.json.arms[0].days.map((d: { day: string }) => d.day)).toEqual([isoDay(dayOf(NOW))])
  })

  it('refuses a missing or unknown breakdown, naming the field', async () => {
    const api = await startApi()
    expect((await api.call('GET', '/v1/arms?task_type=bug_fix')).json.error).toMatchObject({ field: 'by', rule: 'required' })
    expect((await api.call('GET', '/v1/arms?task_type=bug_fix&by=peer')).json.error).toMatchObject({ field: 'by', rule: 'enum' })
    expect((await api.call('GET', '/v1/arms?by=origin')).json.error).toMatchObject({ field: 'task_type', rule: 'required' })
  })
})

describe('GET /v1/summary and /v1/changes', () => {
  it('gives each task type its best arm per scope, and a stamp that moves only when counters or baselines do', async () => {
    const { me, liar } = await hive()
    const api = await startApi({ tracker: me.tracker })
    const summary = await api.call('GET', '/v1/summary')
    expect(summary.json.task_types).toHaveLength(1)
    expect(summary.json.task_types[0]).toMatchObject({ task_type: 'bug_fix', arms: 2, n: 5000 + 30 * 2 + 60 * 6, differ: false })
    expect(summary.json.task_types[0].hive).toEqual(me.tracker.best('bug_fix').best)
    expect(summary.json.task_types[0].local).toEqual(me.tracker.best('bug_fix', { scope: 'local' }).best)

    const stampNow = async (): Promise<string> => (await api.call('GET', '/v1/changes')).json.stamp
    const stamp = await stampNow()
    expect(await stampNow()).toBe(stamp)
    await api.call('GET', '/v1/stats')
    expect(await stampNow()).toBe(stamp)
    // exports write envelopes and the export mark, but no counter: nothing for a dashboard to redraw
    const changes = me.tracker.store.changeStamp()
    expect(me.sharing.export('delta')).not.toBeNull()
    expect(me.sharing.export('snapshot')).not.toBeNull()
    expect(me.tracker.store.changeStamp()).not.toBe(changes)
    expect(await stampNow()).toBe(stamp)
    await api.call('POST', '/v1/outcomes', { body: { task_type: 'bug_fix', tool: 'good', outcome: 'pass' } })
    const recorded = await stampNow()
    expect(recorded).not.toBe(stamp)
    // a baseline (the gate page shows them) and a forgotten origin move it too
    me.tracker.captureBaseline({ name: 'v1' })
    const captured = await stampNow()
    expect(captured).not.toBe(recorded)
    expect(createForget(me.tracker.store.db)(liar)).toBe(true)
    expect(await stampNow()).not.toBe(captured)
  })
})

describe('hivebench stats --by-origin', () => {
  it('prints each arm per origin, and the same figures as the API in JSON', async () => {
    const { me } = await hive()
    const dir = me.tracker.store.dataDir
    const expected = me.tracker.armsByOrigin('bug_fix')
    while (open.length > 0) open.pop()?.close()
    const json = await runCli(['stats', '--by-origin', '--json', '--data-dir', dir])
    expect(JSON.parse(json.stdout)).toEqual({ task_types: [expected] })
    const text = await runCli(['stats', '--by-origin', '--data-dir', dir])
    expect(text.stdout).toContain('one origin counts for at most min(100, 2 x the median other origin) samples')
    expect(text.stdout).toMatch(/^bad\t-\t\S+\t5000\t100\.0%\t100\tyes$/m)
  })
})
