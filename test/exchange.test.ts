import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { maxCounters } from '../src/core/counters.js'
import { bucketOf, encodeHist, quantiles } from '../src/core/histogram.js'
import { emptyCounters } from '../src/core/types.js'
import { validateEnvelope } from '../src/protocol/index.js'
import { fileNode, type TestNode } from './helpers/nodes.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const now = (): number => NOW
const open: TestNode[] = []
async function node (options: Parameters<typeof fileNode>[0] = {}): Promise<TestNode> {
  const n = await fileNode({ now, ...options })
  open.push(n)
  return n
}
afterEach(() => { while (open.length > 0) open.pop()?.close() })

function outcomes (tool: string, pass: number, fail: number, extra: Record<string, unknown> = {}): unknown[] {
  return [
    ...Array.from({ length: pass }, (_, i) => ({ task_type: 'bug_fix', tool, outcome: 'pass', duration_s: 10 + i, ...extra })),
    ...Array.from({ length: fail }, () => ({ task_type: 'bug_fix', tool, outcome: 'grader_fail', cost_usd: 0.25, ...extra }))
  ]
}

const envelopesOf = (n: TestNode, kind: 'delta' | 'snapshot'): Uint8Array[] => n.sharing.export(kind)?.envelopes ?? []
const hive = (n: TestNode) => n.tracker.stats({ scope: 'hive', minSamples: 1 })

describe('file exchange of signed envelopes', () => {
  it('three nodes importing each other in different orders end with identical hive stats', async () => {
    const [a, b, c] = [await node(), await node(), await node()]
    a.tracker.recordBatch(outcomes('aider', 30, 10, { model: 'gpt' }))
    b.tracker.recordBatch(outcomes('aider', 5, 15, { model: 'gpt' }))
    b.tracker.recordBatch(outcomes('ruff', 12, 3))
    c.tracker.recordBatch(outcomes('codex', 8, 2))
    const ea = envelopesOf(a, 'delta')
    const eb = envelopesOf(b, 'snapshot')
    c.tracker.recordBatch(outcomes('codex', 1, 1))
    const ec = [...envelopesOf(c, 'delta')]
    c.tracker.record({ task_type: 'bug_fix', tool: 'codex', outcome: 'timeout' })
    ec.push(...envelopesOf(c, 'delta'))

    for (const bytes of [...eb, ...ec]) expect(a.receiver.receive(bytes).verdict).toBe('accepted')
    for (const bytes of [...ec].reverse().concat(ea)) expect(b.receiver.receive(bytes).verdict).toBe('accepted')
    for (const bytes of [...eb, ...ea]) expect(c.receiver.receive(bytes).verdict).toBe('accepted')

    expect(hive(a)).toEqual(hive(b))
    expect(hive(b)).toEqual(hive(c))
    expect(a.tracker.store.exchange.hiveCounters()).toEqual(c.tracker.store.exchange.hiveCounters())
    const aider = hive(a).task_types[0].ranking.find(r => r.tool === 'aider')!
    expect(aider).toMatchObject({ n: 60, pass: 35, origins: 2 })
    // its latency quantiles come from the sum of both origins' histograms (a: 10..39 s, b: 10..14 s)
    const durations = [...Array.from({ length: 30 }, (_, i) => 10 + i), ...Array.from({ length: 5 }, (_, i) => 10 + i)]
    const hist = new Map<number, number>()
    for (const d of durations) hist.set(bucketOf(d), (hist.get(bucketOf(d)) ?? 0) + 1)
    expect([aider.p50_s, aider.p90_s]).toEqual(quantiles(encodeHist(hist), [0.5, 0.9]))
    // another window is summed from the day counters instead of the rollup: the same answer
    expect(a.tracker.stats({ scope: 'hive', minSamples: 1, windowDays: 7 }).task_types).toEqual(hive(a).task_types)
    // local scope still sees only the node's own outcomes
    expect(a.tracker.best('bug_fix', { scope: 'local', minSamples: 1 }).ranking.map(r => r.tool)).toEqual(['aider'])
  })

  it('ignores duplicates, replays and our own envelopes; names the rule', async () => {
    const [a, b] = [await node(), await node()]
    a.tracker.recordBatch(outcomes('aider', 3, 1))
    const [first] = envelopesOf(a, 'delta')
    expect(b.receiver.receive(first)).toMatchObject({ verdict: 'accepted', origin: a.peerId, seq: 1 })
    const before = b.tracker.store.exchange.hiveCounters()
    expect(b.receiver.receive(first)).toMatchObject({ verdict: 'ignored', rule: 'R22' })
    expect(a.receiver.receive(first)).toMatchObject({ verdict: 'ignored', rule: 'R25', reason: 'our own origin' })
    // a snapshot supersedes older deltas: replaying seq 1 afterwards is stale
    a.tracker.recordBatch(outcomes('aider', 1, 0))
    for (const bytes of envelopesOf(a, 'snapshot')) expect(b.receiver.receive(bytes).verdict).toBe('accepted')
    const c = await node()
    for (const bytes of envelopesOf(a, 'snapshot')) c.receiver.receive(bytes)
    expect(c.receiver.receive(first)).toMatchObject({ verdict: 'ignored', rule: 'R23' })
    expect(b.tracker.store.exchange.hiveCounters()).not.toEqual(before)
  })

  it('rejects a forged envelope and merges nothing', async () => {
    const [a, b] = [await node(), await node()]
    a.tracker.recordBatch(outcomes('aider', 3, 1))
    const [bytes] = envelopesOf(a, 'delta')
    const forged = new Uint8Array(bytes)
    forged[forged.length - 70] ^= 0x01
    const verdict = b.receiver.receive(forged)
    expect(verdict).toMatchObject({ verdict: 'rejected', rule: 'R8' })
    expect(b.tracker.store.exchange.hiveCounters()).toEqual([])
  })

  it('only merges allowlisted origins when an allowlist is set', async () => {
    const [a, outsider] = [await node(), await node()]
    const b = await node({ allowlist: new Set([a.peerId]) })
    a.tracker.recordBatch(outcomes('aider', 3, 1))
    outsider.tracker.recordBatch(outcomes('evil', 100, 0))
    expect(b.receiver.receive(envelopesOf(outsider, 'snapshot')[0])).toMatchObject({ verdict: 'ignored' })
    expect(b.receiver.receive(envelopesOf(a, 'snapshot')[0]).verdict).toBe('accepted')
    expect(hive(b).task_types[0].ranking.map(r => r.tool)).toEqual(['aider'])
  })

  it('caps one origin per arm in hive ranking while reporting true counts', async () => {
    const honest = await Promise.all([node(), node(), node()])
    const liar = await node()
    const me = await node()
    for (const h of honest) h.tracker.recordBatch([...outcomes('good', 40, 10), ...outcomes('bad', 10, 40)])
    liar.tracker.recordBatch(outcomes('bad', 2000, 0))
    for (const n of [...honest, liar]) for (const e of envelopesOf(n, 'snapshot')) me.receiver.receive(e)
    const r = me.tracker.best('bug_fix')
    expect(r.best?.tool).toBe('good')
    const bad = r.ranking.find(a => a.tool === 'bad')!
    // the liar weighs twice the median other origin (2 x 50), not its 2000
    expect(bad).toMatchObject({ n: 2150, pass: 2030, origins: 4, weighted_n: 250, weighted_pass: 130 })
  })
})

const countersArb = fc.record({
  n: fc.nat(1000), pass: fc.nat(1000), grader_fail: fc.nat(1000), timeout: fc.nat(1000), no_tool_calls: fc.nat(1000), error: fc.nat(1000),
  offloaded: fc.nat(1000), sumDurationMs: fc.nat(), nDuration: fc.nat(1000), sumCostMicros: fc.nat(), nCost: fc.nat(1000),
  hist: fc.array(fc.tuple(fc.nat(203), fc.nat(1000)), { maxLength: 8 }).map(pairs => new Map(pairs))
})

describe('merge laws (property)', () => {
  it('element-wise max is commutative, associative and idempotent', () => {
    fc.assert(fc.property(countersArb, countersArb, countersArb, (x, y, z) => {
      expect(maxCounters(x, y)).toEqual(maxCounters(y, x))
      expect(maxCounters(maxCounters(x, y), z)).toEqual(maxCounters(x, maxCounters(y, z)))
      expect(maxCounters(x, x)).toEqual(maxCounters(x, emptyCounters()))
      expect(maxCounters(maxCounters(x, y), y)).toEqual(maxCounters(x, y))
    }))
  })

  it('any permutation, duplication and partial loss of envelopes, then the latest snapshots, gives identical hive tables', async () => {
    const origins = [await node(), await node(), await node()]
    const record = fc.array(fc.record({
      who: fc.integer({ min: 0, max: 2 }),
      tool: fc.constantFrom('aider', 'ruff', 'codex'),
      outcome: fc.constantFrom('pass', 'grader_fail', 'timeout', 'error', 'no_tool_calls'),
      duration: fc.option(fc.double({ min: 0.01, max: 1000, noNaN: true }), { nil: undefined }),
      exportAfter: fc.boolean()
    }), { minLength: 1, maxLength: 25 })
    // Build one history of envelopes from the three origins.
    const history = fc.sample(record, { numRuns: 1, seed: 7 })[0]
    const deltas: Uint8Array[] = []
    for (const step of history) {
      origins[step.who].tracker.record({ task_type: 'bug_fix', tool: step.tool, outcome: step.outcome, duration_s: step.duration })
      if (step.exportAfter) deltas.push(...envelopesOf(origins[step.who], 'delta'))
    }
    for (const o of origins) deltas.push(...envelopesOf(o, 'delta'))
    const snapshots = origins.flatMap(o => envelopesOf(o, 'snapshot'))

    const reference = await node()
    for (const e of [...deltas, ...snapshots]) reference.receiver.receive(e)
    const expected = reference.tracker.store.exchange.hiveCounters()
    // hive totals equal the sum of each origin's local totals
    const localTotal = origins.reduce((sum, o) => sum + o.tracker.store.localCounters().reduce((s, e) => s + e.n, 0), 0)
    expect(expected.reduce((s, r) => s + r.entry.n, 0)).toBe(localTotal)

    await fc.assert(fc.asyncProperty(
      fc.array(fc.nat({ max: deltas.length - 1 }), { maxLength: deltas.length * 2 }),
      fc.boolean(),
      async (picks, snapshotsFirst) => {
        const receiver = await fileNode({ now })
        try {
          const delivered = picks.map(i => deltas[i]) // permuted, duplicated, some lost
          const order = snapshotsFirst ? [...snapshots, ...delivered] : [...delivered, ...snapshots]
          for (const e of order) expect(receiver.receiver.receive(e).verdict).not.toBe('rejected')
          expect(receiver.tracker.store.exchange.hiveCounters()).toEqual(expected)
          expect(receiver.tracker.stats({ scope: 'hive' })).toEqual(reference.tracker.stats({ scope: 'hive' }))
        } finally {
          receiver.close()
        }
      }), { numRuns: 25 })

    // the same deliveries merged in batches (mergeEnvelopes: one transaction and one rollup
    // update per batch) give the same results, envelope by envelope, and the same tables
    const rollupRows = (n: TestNode): unknown[] => n.tracker.store.db.prepare('SELECT * FROM arm_window ORDER BY task_type, origin, tool, model').all()
    const valid = (bytes: Uint8Array) => validateEnvelope(bytes, { nowMs: NOW, retentionDays: 90 })
    await fc.assert(fc.asyncProperty(
      fc.array(fc.nat({ max: deltas.length - 1 }), { maxLength: deltas.length * 2 }),
      fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
      async (picks, cuts) => {
        const [one, batched] = [await fileNode({ now }), await fileNode({ now })]
        try {
          const order = [...picks.map(i => deltas[i]), ...snapshots].map(valid)
          const single = order.map(e => one.tracker.store.exchange.mergeEnvelope(e, NOW))
          const results = []
          for (let at = 0, c = 0; at < order.length; at += cuts[c++ % cuts.length]) {
            results.push(...batched.tracker.store.exchange.mergeEnvelopes(order.slice(at, at + cuts[c % cuts.length]), NOW))
          }
          expect(results).toEqual(single)
          expect(batched.tracker.store.exchange.hiveCounters()).toEqual(expected)
          expect(rollupRows(batched)).toEqual(rollupRows(one))
          expect(batched.tracker.stats({ scope: 'hive' })).toEqual(reference.tracker.stats({ scope: 'hive' }))
        } finally {
          one.close()
          batched.close()
        }
      }), { numRuns: 25 })
  })
})

describe('bounded storage per origin', () => {
  it('keeps at most MAX_DELTAS_PER_ORIGIN deltas after the newest snapshot, and no empty deltas', async () => {
    const { generateKeyPair } = await import('@libp2p/crypto/keys')
    const { encodeEnvelope } = await import('../src/protocol/index.js')
    const { MAX_DELTAS_PER_ORIGIN } = await import('../src/store/exchange.js')
    const me = await node()
    const key = await generateKeyPair('Ed25519')
    const day = Math.floor(NOW / 86_400_000)
    const delta = (seq: number, n: number) => encodeEnvelope({
      seq, kind: 'delta', createdAtMs: NOW,
      entries: n === 0 ? [] : [{ ...emptyCounters(), taskType: 'bug_fix', tool: 'aider', model: '', day, n, pass: n }]
    }, key as never)
    expect(me.receiver.receive(delta(1, 0)).verdict).toBe('accepted')
    for (let seq = 2; seq <= MAX_DELTAS_PER_ORIGIN + 20; seq++) expect(me.receiver.receive(delta(seq, seq)).verdict).toBe('accepted')
    const [origin] = me.tracker.store.exchange.holdings().filter(h => h.peerId !== me.peerId)
    expect(origin.seqs).toHaveLength(MAX_DELTAS_PER_ORIGIN)
    expect(origin.seqs[0]).toBe(21) // the oldest deltas went, the empty one was never kept
    expect(me.tracker.best('bug_fix', { minSamples: 1 }).best?.n).toBe(MAX_DELTAS_PER_ORIGIN + 20) // the counters are whole
  })
})
