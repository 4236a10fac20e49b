import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_RANK_POLICY, type RankPolicy } from '../src/core/ranking.js'
import { dayOf } from '../src/core/time.js'
import { emptyCounters } from '../src/core/types.js'
import { encodeEnvelope } from '../src/protocol/index.js'
import { MAX_ARMS_PER_TASK_TYPE } from '../src/store/index.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { attackEnvelope, benchmarkedArms, bestArms, buildHonestHive, openVictim, type HonestHive } from '../scripts/lib/poison-hive.js'
import { loadRows } from '../scripts/lib/replay-data.js'
import { fileNode, type TestNode } from './helpers/nodes.js'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'
import { writeEnvelopeFile } from '../src/hive/envelope-file.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const now = (): number => NOW
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

/** today's ranking before these defences: a fixed cap of 100 samples per origin, nothing else */
const NONE: RankPolicy = { originCap: 100, medianCapFactor: 0, minOrigins: 1, leaveOut: 0, seniorityDays: 0 }

const outcomes = (tool: string, pass: number, fail: number): unknown[] => [
  ...Array.from({ length: pass }, () => ({ task_type: 'bug_fix', tool, outcome: 'pass' })),
  ...Array.from({ length: fail }, () => ({ task_type: 'bug_fix', tool, outcome: 'grader_fail' }))
]

/** A validly signed snapshot from a fresh identity: `pass` of `n` for `tool`. */
async function claim (tool: string, n: number, pass: number): Promise<Uint8Array> {
  const key = await generateKeyPair('Ed25519')
  const entry = { ...emptyCounters(), taskType: 'bug_fix', tool, model: '', day: dayOf(NOW), n, pass, grader_fail: n - pass }
  return encodeEnvelope({ seq: 1, kind: 'snapshot', createdAtMs: NOW, entries: [entry] }, key as never)
}

/** This node plus `origins` honest origins, each recording `perOrigin` outcomes. */
async function hive (policy: Partial<RankPolicy>, origins: number, perOrigin: unknown[]): Promise<TestNode> {
  const me = await fileNode({ now, rankPolicy: policy })
  open.push(me)
  for (let i = 0; i < origins; i++) {
    const honest = await fileNode({ now })
    open.push(honest)
    honest.tracker.recordBatch(perOrigin)
    for (const e of honest.sharing.export('snapshot')!.envelopes) expect(me.receiver.receive(e).verdict).toBe('accepted')
  }
  return me
}

describe('poisoning resistance, each defence alone against the attack it answers', () => {
  const sparse = [...outcomes('good', 2, 1), ...outcomes('bad', 1, 2)] // 67% vs 33%, 3 samples per origin

  it('scaled cap: a liar with 1,000,000 passes on a sparse arm weighs 2 x the median other origin', async () => {
    const me = await hive({ ...NONE, medianCapFactor: 2 }, 10, sparse)
    expect(me.receiver.receive(await claim('bad', 1_000_000, 1_000_000)).verdict).toBe('accepted')
    const r = me.tracker.best('bug_fix')
    expect(r.best?.tool).toBe('good')
    // true counts are reported; the ranking weighs the liar as 2 x 3 samples
    expect(r.ranking.find(a => a.tool === 'bad')).toMatchObject({ n: 1_000_030, pass: 1_000_010, origins: 11, weighted_n: 36, weighted_pass: 16 })
  })

  it('without the scaled cap (the fixed cap of 100) the same liar takes the sparse arm', async () => {
    const me = await hive(NONE, 10, sparse)
    me.receiver.receive(await claim('bad', 1_000_000, 1_000_000))
    expect(me.tracker.best('bug_fix').best?.tool).toBe('bad')
  })

  it('corroboration: an invented arm claimed by one identity is not benchmarked; by two it is', async () => {
    const me = await hive({ ...NONE, minOrigins: 2 }, 10, sparse)
    me.receiver.receive(await claim('evil-agent', 100, 100))
    const once = me.tracker.best('bug_fix')
    expect(once.best?.tool).toBe('good')
    expect(once.ranking.find(a => a.tool === 'evil-agent')?.benchmarked).toBe(false)
    me.receiver.receive(await claim('evil-agent', 100, 100))
    expect(me.tracker.best('bug_fix').best?.tool).toBe('evil-agent')
    // and without corroboration one identity is enough
    const bare = await hive(NONE, 10, sparse)
    bare.receiver.receive(await claim('evil-agent', 100, 100))
    expect(bare.tracker.best('bug_fix').best?.tool).toBe('evil-agent')
  })

  it('a node alone still ranks its own arms in hive scope (corroboration asks for no more origins than report)', async () => {
    const me = await hive(DEFAULT_RANK_POLICY, 0, [])
    me.tracker.recordBatch(sparse.concat(sparse))
    expect(me.tracker.best('bug_fix').best?.tool).toBe('good')
  })

  it('leave-one-out: a liar within the cap cannot lift a near-tied arm above the honest best', async () => {
    // 10 origins: good 11/20, close 10/20 each; the liar claims 40/40 on close, inside 2 x median
    const close = [...outcomes('good', 11, 9), ...outcomes('close', 10, 10)]
    const me = await hive({ ...NONE, medianCapFactor: 2, leaveOut: 1 }, 10, close)
    me.receiver.receive(await claim('close', 40, 40))
    expect(me.tracker.best('bug_fix').best?.tool).toBe('good')
    const without = await hive({ ...NONE, medianCapFactor: 2 }, 10, close)
    without.receiver.receive(await claim('close', 40, 40))
    expect(without.tracker.best('bug_fix').best?.tool).toBe('close')
  })
})

describe('seniority: identities this node first saw days ago count apart, fresh ones as one', () => {
  const DAY = 86_400_000
  const sparse = [...outcomes('good', 2, 1), ...outcomes('bad', 1, 2)]
  const SENIORITY_OFF: Partial<RankPolicy> = { ...DEFAULT_RANK_POLICY, seniorityDays: 0 }

  /** this node and 10 honest origins at NOW (its founders), then `sybils` fresh identities at NOW + 8 days each claiming 100/100 on `tool` */
  async function attacked (policy: Partial<RankPolicy>, tool: string, sybils: number): Promise<{ me: TestNode, later: () => void }> {
    let clock = NOW
    const me = await fileNode({ now: () => clock, rankPolicy: policy })
    open.push(me)
    for (let i = 0; i < 10; i++) {
      const honest = await fileNode({ now: () => NOW })
      open.push(honest)
      honest.tracker.recordBatch(sparse)
      for (const e of honest.sharing.export('snapshot')!.envelopes) expect(me.receiver.receive(e).verdict).toBe('accepted')
    }
    clock = NOW + 8 * DAY
    for (let k = 0; k < sybils; k++) {
      const key = await generateKeyPair('Ed25519')
      const entry = { ...emptyCounters(), taskType: 'bug_fix', tool, model: '', day: dayOf(clock), n: 100, pass: 100 }
      expect(me.receiver.receive(encodeEnvelope({ seq: 1, kind: 'snapshot', createdAtMs: clock, entries: [entry] }, key as never)).verdict).toBe('accepted')
    }
    return { me, later: () => { clock = NOW + 16 * DAY } }
  }

  it('two fresh identities cannot invent a best arm (they corroborate as one); without seniority they can', async () => {
    const { me, later } = await attacked(DEFAULT_RANK_POLICY, 'evil-agent', 2)
    expect(me.tracker.store.exchange.newOrigins(NOW + 8 * DAY, 7 * DAY, 3_600_000).size).toBe(2)
    // `hivebench peers` shows when each origin was first seen: the two fresh ones stand out
    expect(me.tracker.origins().filter(o => o.first_seen === new Date(NOW + 8 * DAY).toISOString())).toHaveLength(2)
    expect(me.tracker.best('bug_fix').best?.tool).toBe('good')
    expect(me.tracker.best('bug_fix').ranking.find(a => a.tool === 'evil-agent')).toMatchObject({ benchmarked: false, origins: 2 })
    // a week on, the same two identities are senior: seniority buys time, not a bound
    later()
    expect(me.tracker.best('bug_fix').best?.tool).toBe('evil-agent')
    const { me: bare } = await attacked(SENIORITY_OFF, 'evil-agent', 2)
    expect(bare.tracker.best('bug_fix').best?.tool).toBe('evil-agent')
  })

  it('ten fresh identities boosting the worst arm weigh as one liar (2 x the median origin); without seniority they take it', async () => {
    const { me } = await attacked(DEFAULT_RANK_POLICY, 'bad', 10)
    const r = me.tracker.best('bug_fix')
    expect(r.best?.tool).toBe('good')
    // 10 honest origins of 3 samples each, the pool of 10 x 100 weighs 2 x 3
    expect(r.ranking.find(a => a.tool === 'bad')).toMatchObject({ origins: 20, weighted_n: 36 })
    // the breakdown by origin shows the same weights: each fresh identity a tenth of the pool's 2 x 3
    const sybils = me.tracker.armsByOrigin('bug_fix').arms.find(a => a.tool === 'bad')?.origins.filter(o => o.n === 100)
    expect(sybils?.map(o => o.weighted_n)).toEqual(Array.from({ length: 10 }, () => expect.closeTo(0.6, 9)))
    const { me: bare } = await attacked(SENIORITY_OFF, 'bad', 10)
    expect(bare.tracker.best('bug_fix').best?.tool).toBe('bad')
  })
})

describe('bounded answers', () => {
  /** `count` arms of n = 2 from one origin (tools junk-<firstTool>, junk-<firstTool + 1>, ...), in envelopes of at most 16,384 entries */
  const junk = (key: Ed25519PrivateKey, count: number, firstSeq = 1, taskType = 'bug_fix', firstTool = 0): Uint8Array[] => {
    const envelopes: Uint8Array[] = []
    for (let from = 0, seq = firstSeq; from < count; from += 16_384, seq++) {
      const entries = Array.from({ length: Math.min(16_384, count - from) }, (_, i) => ({ ...emptyCounters(), taskType, tool: `junk-${firstTool + from + i}`, model: '', day: dayOf(NOW), n: 2, pass: 2 }))
      envelopes.push(encodeEnvelope({ seq, kind: 'delta', createdAtMs: NOW, entries }, key as never))
    }
    return envelopes
  }

  it(`one origin adding 35,000 arms of n = 2 to one task type keeps ${MAX_ARMS_PER_TASK_TYPE} (R30): the best, the answer and arms_total stay bounded`, async () => {
    const me = await hive(DEFAULT_RANK_POLICY, 3, [...outcomes('good', 8, 2), ...outcomes('bad', 2, 8)])
    const key = await generateKeyPair('Ed25519')
    const verdicts = junk(key, 35_000).map(e => me.receiver.receive(e))
    // the first envelope merges its first 64 arms; the others hold nothing but new arms
    expect(verdicts.map(v => v.verdict === 'accepted' ? 'accepted' : `${v.verdict}:${v.rule}`)).toEqual(['accepted', 'ignored:R30', 'ignored:R30'])
    const r = me.tracker.best('bug_fix')
    expect(r.best?.tool).toBe('good')
    expect(r.arms_total).toBe(2 + MAX_ARMS_PER_TASK_TYPE)
    expect(r.ranking).toHaveLength(50)
    expect(me.tracker.best('bug_fix', { limit: 10_000 }).ranking).toHaveLength(2 + MAX_ARMS_PER_TASK_TYPE)
    expect(me.tracker.stats().task_types[0]).toMatchObject({ arms_total: 2 + MAX_ARMS_PER_TASK_TYPE })
    expect(me.tracker.stats().task_types[0].ranking).toHaveLength(50)
    expect(() => me.tracker.best('bug_fix', { limit: 0 })).toThrow(/limit/)
    // arms it holds keep merging (a later day, a grown count); other task types have their own bound
    const grown = encodeEnvelope({ seq: 10, kind: 'delta', createdAtMs: NOW, entries: [{ ...emptyCounters(), taskType: 'bug_fix', tool: 'junk-0', model: '', day: dayOf(NOW), n: 3, pass: 3 }, { ...emptyCounters(), taskType: 'bug_fix', tool: 'junk-1', model: '', day: dayOf(NOW) - 1, n: 1, pass: 1 }] }, key as never)
    expect(me.receiver.receive(grown)).toMatchObject({ verdict: 'accepted', keysChanged: 2 })
    expect(me.receiver.receive(junk(key, 100, 11, 'refactor')[0])).toMatchObject({ verdict: 'accepted', keysChanged: MAX_ARMS_PER_TASK_TYPE })
    const arms = (taskType: string): number => me.tracker.store.db.prepare('SELECT COUNT(DISTINCT tool) FROM counters WHERE origin > 0 AND task_type = ? AND tool LIKE \'junk-%\'').pluck().get(taskType) as number
    expect([arms('bug_fix'), arms('refactor')]).toEqual([MAX_ARMS_PER_TASK_TYPE, MAX_ARMS_PER_TASK_TYPE])
  }, 60_000)

  it('the bound applies on every import path: an envelope file through the CLI\'s import-delta (child process) as on gossip', async () => {
    const key = await generateKeyPair('Ed25519')
    const dir = tempDir()
    const file = join(dir, 'junk.hb')
    writeEnvelopeFile(file, [...junk(key, 100), ...junk(key, 100, 2, 'bug_fix', 100)])
    const imported = runCli(['import-delta', '--data-dir', dir, file, '--json'])
    expect(JSON.parse(imported.stdout)).toMatchObject([{ verdict: 'accepted' }, { verdict: 'ignored', rule: 'R30' }])
    expect(JSON.parse(runCli(['best', 'bug_fix', '--data-dir', dir, '--json', '--min-samples', '1']).stdout)).toMatchObject({ arms_total: MAX_ARMS_PER_TASK_TYPE })
    // a receiver's bound is a parameter (vectors and tests lower it)
    const me = await fileNode({ now, originBounds: { maxArmsPerTaskType: 3 } })
    open.push(me)
    expect(me.receiver.receive(junk(key, 10)[0])).toMatchObject({ verdict: 'accepted', keysChanged: 3 })
    expect(me.receiver.receive(junk(key, 10, 2, 'bug_fix', 10)[0])).toMatchObject({ verdict: 'ignored', rule: 'R30' })
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

describe('real data: the SWE-bench file dealt to 10 honest origins, one liar with 1,000,000 passes', () => {
  const DATA = fileURLToPath(new URL('../../shared/data/swebench-verified-bash-only.csv', import.meta.url))
  let honest: HonestHive
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hivebench-poison-'))
    honest = await buildHonestHive(loadRows(DATA), 10, 1, NOW, dir)
  }, 120_000)
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  /** One envelope lying about the worst benchmarked arm of every task type; the task types it takes. */
  const lieAboutTheWorst = async (policy: Partial<RankPolicy>): Promise<{ taken: string[], of: number }> => {
    const victim = await openVictim(honest, policy, NOW, dir)
    try {
      const taskTypes = victim.tracker.stats().task_types.map(t => t.task_type)
      const arms = benchmarkedArms(victim, taskTypes)
      const claims = [...arms].filter(([, a]) => a.length > 1).map(([taskType, a]) => ({ taskType, arm: a[a.length - 1], n: 1_000_000, pass: 1_000_000 }))
      expect(victim.receiver.receive(attackEnvelope(await generateKeyPair('Ed25519'), claims, NOW)).verdict).toBe('accepted')
      const best = bestArms(victim, claims.map(c => c.taskType))
      return { taken: claims.filter(c => best.get(c.taskType) === c.arm).map(c => c.taskType), of: claims.length }
    } finally {
      victim.tracker.close()
    }
  }

  it('before the defences the liar takes most task types (arms of 8 to 231 samples across the hive)', async () => {
    const r = await lieAboutTheWorst(NONE)
    expect(r.of).toBe(10)
    expect(r.taken.length).toBeGreaterThanOrEqual(5)
  })

  it.each([
    ['the defaults', DEFAULT_RANK_POLICY],
    ['the scaled cap alone', { ...NONE, medianCapFactor: 2 }],
    ['leave-one-out alone', { ...NONE, leaveOut: 1 }]
  ])('with %s it takes none', async (_, policy) => {
    expect((await lieAboutTheWorst(policy)).taken).toEqual([])
  })
})
