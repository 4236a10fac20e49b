import { afterEach, describe, expect, it } from 'vitest'
import { DAY_MS, dayOf } from '../src/core/time.js'
import { envelopesLacked, syncRequestOf } from '../src/hive/sync-answers.js'
import { createClockWatch, SKEW_WARNING_INTERVAL_MS, type SkewWarning } from '../src/hive/clock-watch.js'
import { createReceiver, gossipVerdictOf } from '../src/hive/receive.js'
import { decodeEnvelope } from '../src/protocol/index.js'
import { openTracker } from '../src/tracker.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

/** A node whose wall clock and monotonic clock the test moves apart (a clock jump) or together (real time). */
async function clockNode (options: { retentionDays?: number } = {}): Promise<TestNode & { clock: { wall: number, mono: number } }> {
  const clock = { wall: NOW, mono: 0 }
  const n = await fileNode({ now: () => clock.wall, monotonicNow: () => clock.mono, ...options })
  open.push(n)
  return { ...n, clock }
}

const total = (n: TestNode, scope: 'local' | 'hive'): number =>
  n.tracker.stats({ scope, minSamples: 1, windowDays: n.tracker.store.retentionDays }).task_types.flatMap(t => t.ranking).reduce((sum, arm) => sum + arm.n, 0)

function record320 (n: TestNode): void {
  // 320 outcomes over the last 80 days, 4 a day
  n.tracker.recordBatch(Array.from({ length: 320 }, (_, i) => ({
    task_type: 'bug_fix', tool: `t${i % 4}`, success: i % 3 !== 0, at: new Date(NOW - Math.floor(i / 4) * DAY_MS).toISOString()
  })))
}

describe('a wall clock that jumps', () => {
  it('100 days ahead for a moment, with writes, exports, queries and maintenance meanwhile, loses nothing', async () => {
    const a = await clockNode()
    const peer = await clockNode()
    record320(a)
    record320(peer)
    for (const e of peer.sharing.export('snapshot')?.envelopes ?? []) expect(a.receiver.receive(e).verdict).toBe('accepted')
    expect(total(a, 'local')).toBe(320)
    expect(total(a, 'hive')).toBe(640)

    a.clock.wall += 100 * DAY_MS // the jump: the monotonic clock does not move
    a.tracker.record({ task_type: 'bug_fix', tool: 'late', success: true })
    a.sharing.export('delta')
    a.tracker.stats({ scope: 'hive' })
    expect(a.tracker.store.maintain(a.clock.wall).heldBackDays).toBe(100)
    a.clock.wall -= 100 * DAY_MS // back to the truth

    // the 320 and the one recorded during the jump (dated 100 days ahead)
    expect(total(a, 'local')).toBe(321)
    expect(total(a, 'hive')).toBe(641)
    expect([...a.tracker.store.rawOutcomes()].length).toBe(321)
  })

  it('a jump that lasts: pruning follows at most one day per real day (plus one per start)', async () => {
    const a = await clockNode()
    record320(a)
    a.clock.wall += 100 * DAY_MS
    for (let day = 1; day <= 3; day++) {
      a.clock.mono += DAY_MS
      a.clock.wall += DAY_MS
      a.tracker.store.maintain(a.clock.wall)
    }
    // the pruning day moved 1 + 3 days: days up to NOW - 90 + 4 are gone, nothing later
    const days = a.tracker.store.localCounters().map(e => e.day)
    expect(Math.min(...days)).toBe(dayOf(NOW) - 79)
    expect(a.tracker.store.localCounters().reduce((s, e) => s + e.n, 0)).toBe(320)
  })

  it('real time passing prunes as before', async () => {
    const a = await clockNode({ retentionDays: 10 })
    a.tracker.recordBatch(Array.from({ length: 10 }, (_, i) => ({ task_type: 'x', tool: 'y', success: true, at: new Date(NOW - i * DAY_MS).toISOString() })))
    for (let day = 1; day <= 5; day++) {
      a.clock.mono += DAY_MS
      a.clock.wall += DAY_MS
      expect(a.tracker.maintain().today).toBe(dayOf(a.clock.wall)) // the embedded API prunes on its own clock
    }
    expect(a.tracker.store.localCounters().map(e => e.day)).toEqual([4, 3, 2, 1, 0].map(d => dayOf(NOW) - d))
    expect([...a.tracker.store.rawOutcomes()].length).toBe(5)
  })

  it('a peer day pruned by mistake (a restart while the clock ran ahead) comes back by sync', async () => {
    const a = await clockNode({ retentionDays: 10 })
    const peer = await clockNode({ retentionDays: 10 })
    // the peer's deltas: one per day, the oldest 9 days ago
    for (let d = 9; d >= 0; d--) {
      peer.tracker.record({ task_type: 'x', tool: 'y', success: true, at: new Date(NOW - d * DAY_MS).toISOString() })
      for (const e of peer.sharing.export('delta')?.envelopes ?? []) a.receiver.receive(e)
    }
    // a restarts while its clock runs 100 days ahead, and stays so for two real days: its
    // pruning day moves 1 (the start) + 2 days, one more than real time allows
    a.tracker.close()
    const clock = { wall: NOW + 100 * DAY_MS, mono: 0 }
    const restarted = openTracker({ dataDir: a.tracker.store.dataDir, retentionDays: 10, now: () => clock.wall, monotonicNow: () => clock.mono })
    const receiver = createReceiver({ store: restarted.store, now: () => clock.wall })
    open.push({ ...a, tracker: restarted, close: () => { restarted.close() } })
    for (let day = 1; day <= 2; day++) {
      clock.mono += DAY_MS
      clock.wall += DAY_MS
      restarted.store.maintain(clock.wall)
    }
    clock.wall = NOW + 2 * DAY_MS // the clock is right again
    peer.clock.wall = clock.wall
    peer.clock.mono += 2 * DAY_MS
    peer.tracker.store.maintain(peer.clock.wall)
    const hiveN = (): number => restarted.stats({ scope: 'hive', minSamples: 1, windowDays: 10 }).task_types.flatMap(t => t.ranking).reduce((s, arm) => s + arm.n, 0)
    // days -7 .. 0 are inside the window; a pruned day -7 by mistake
    expect(hiveN()).toBe(7)
    const answer = [...envelopesLacked(peer.tracker.store.exchange, 'h', syncRequestOf(restarted.store.exchange, 'h'))]
    for (const e of answer) receiver.receive(e)
    expect(hiveN()).toBe(8)
  })
})

describe('outcomes stamped ahead of the clock', () => {
  it('wait for their day instead of getting every later export refused', async () => {
    const a = await clockNode()
    const peer = await clockNode()
    a.clock.wall += DAY_MS // a one-day blip while outcomes are recorded
    a.tracker.record({ task_type: 'x', tool: 'blip', success: true })
    a.clock.wall -= DAY_MS
    a.tracker.record({ task_type: 'x', tool: 'normal', success: true })
    const delta = a.sharing.export('delta')?.envelopes ?? []
    const snapshot = a.sharing.export('snapshot')?.envelopes ?? []
    for (const e of [...delta, ...snapshot]) expect(peer.receiver.receive(e).verdict).toBe('accepted')
    expect(peer.tracker.stats({ scope: 'hive', minSamples: 1 }).task_types[0].ranking.map(r => r.tool)).toEqual(['normal'])
    // the held key goes out once its day comes
    a.clock.wall += DAY_MS
    peer.clock.wall += DAY_MS
    const later = a.sharing.export('delta')?.envelopes ?? []
    expect(later.length).toBe(1)
    expect(peer.receiver.receive(later[0]).verdict).toBe('accepted')
    expect(peer.tracker.stats({ scope: 'hive', minSamples: 1 }).task_types[0].ranking.map(r => r.tool).sort()).toEqual(['blip', 'normal'])
  })
})

describe('a peer whose clock is wrong', () => {
  it('2 hours fast: its envelopes are ignored without penalty, never blocked, and accepted once its clock is fixed', async () => {
    const me = await clockNode()
    const fast = await clockNode()
    fast.clock.wall += 2 * 3600_000
    const guard = createReceiver({ store: me.tracker.store, now: () => me.clock.wall })
    const verdicts = []
    for (let i = 0; i < 30; i++) {
      fast.tracker.record({ task_type: 'x', tool: 'y', success: true })
      for (const e of fast.sharing.export('delta')?.envelopes ?? []) verdicts.push(guard.receive(e, { via: 'sync', peer: 'fastPeer' }))
    }
    expect(new Set(verdicts.map(v => v.verdict === 'ignored' ? `${v.verdict}:${v.rule}` : v.verdict))).toEqual(new Set(['ignored:R10']))
    expect(verdicts.map(gossipVerdictOf)).toEqual(verdicts.map(() => 'ignore'))
    expect(guard.blocked()).toEqual([])
    fast.clock.wall = me.clock.wall // fixed
    const snapshot = fast.sharing.export('snapshot')?.envelopes ?? []
    expect(snapshot.map(e => guard.receive(e, { via: 'sync', peer: 'fastPeer' }).verdict)).toEqual(['accepted'])
    expect(total(me, 'hive')).toBe(30)
  })

  it('is named with its skew in a warning, on both sides, once per origin per interval', async () => {
    const slow = await clockNode()
    const fast = await clockNode()
    fast.clock.wall += 2 * 3600_000
    const seenBySlow: SkewWarning[] = []
    const seenByFast: SkewWarning[] = []
    const slowWatch = createClockWatch(w => seenBySlow.push(w), () => slow.clock.wall)
    const fastWatch = createClockWatch(w => seenByFast.push(w), () => fast.clock.wall)
    for (let i = 0; i < 3; i++) {
      fast.tracker.record({ task_type: 'x', tool: 'y', success: true })
      slow.tracker.record({ task_type: 'x', tool: 'y', success: true })
      for (const e of fast.sharing.export('delta')?.envelopes ?? []) slowWatch.observeGossip(decodeEnvelope(e), 'fastPeer')
      for (const e of slow.sharing.export('delta')?.envelopes ?? []) fastWatch.observeGossip(decodeEnvelope(e), 'slowPeer')
    }
    expect(seenBySlow).toEqual([{ peer: 'fastPeer', origin: fast.peerId, skewMs: 2 * 3600_000 }])
    expect(seenByFast).toEqual([{ peer: 'slowPeer', origin: slow.peerId, skewMs: -2 * 3600_000 }])
    slow.clock.wall += SKEW_WARNING_INTERVAL_MS
    fast.tracker.record({ task_type: 'x', tool: 'y', success: true })
    for (const e of fast.sharing.export('delta')?.envelopes ?? []) slowWatch.observeGossip(decodeEnvelope(e), 'fastPeer')
    expect(seenBySlow).toHaveLength(2)
  })
})

describe('retention', () => {
  it('forgets an origin with nothing left once it has been silent for the whole window', async () => {
    const a = await clockNode({ retentionDays: 10 })
    const peer = await clockNode({ retentionDays: 10 })
    peer.tracker.record({ task_type: 'x', tool: 'y', success: true })
    for (const e of peer.sharing.export('delta')?.envelopes ?? []) a.receiver.receive(e)
    expect(a.tracker.store.exchange.knowsOrigin(peer.peerId)).toBe(true)
    for (let day = 1; day <= 11; day++) {
      a.clock.mono += DAY_MS
      a.clock.wall += DAY_MS
      a.tracker.store.maintain(a.clock.wall)
    }
    expect(a.tracker.store.exchange.knowsOrigin(peer.peerId)).toBe(false)
    expect(a.tracker.store.exchange.originCount()).toBe(1)
  })
})
