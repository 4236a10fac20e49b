import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createReceiver } from '../../src/hive/receive.js'
import { openTracker } from '../../src/tracker.js'
import { tempDir } from '../helpers/tmp.js'
import { BUCKET_COUNT, GAMMA, MAX_S, MIN_S, UPPER_BOUNDS } from '../../src/core/histogram.js'
import { windowStartDay } from '../../src/core/time.js'
import {
  DEFAULT_LIMITS, envelopeToJson, ProtocolError, RULES, validateEnvelope,
  type EnvelopeJson, type RuleId, type TestVector, type ValidationContext
} from '../../src/protocol/index.js'

/** The interop contract: every vector in protocol/vectors decodes to its JSON and gets its verdict. */


const dir = join(import.meta.dirname, '../../protocol')
const vectors: TestVector[] = readdirSync(join(dir, 'vectors'))
  .filter(f => f.endsWith('.json'))
  .map(f => JSON.parse(readFileSync(join(dir, 'vectors', f), 'utf8')) as TestVector)

function contextOf (v: TestVector): ValidationContext {
  return {
    nowMs: v.now_ms,
    retentionDays: v.retention_days,
    ...(v.allowlist === undefined ? {} : { allowlist: new Set(v.allowlist) }),
    ...(v.id_work_bits === undefined ? {} : { workBits: v.id_work_bits }),
    limits: { maxBytes: v.max_bytes ?? DEFAULT_LIMITS.maxBytes, maxEntries: v.max_entries ?? DEFAULT_LIMITS.maxEntries }
  }
}

describe('test vectors', () => {
  it.each(vectors.map(v => [v.name, v] as const))('%s', (_name, v) => {
    const bytes = Buffer.from(v.hex, 'hex')
    if (v.verdict === 'ACCEPT') {
      const valid = validateEnvelope(bytes, contextOf(v))
      expect(v.decoded).not.toBeNull()
      const decoded = v.decoded as EnvelopeJson
      const firstLiveDay = windowStartDay(v.now_ms, v.retention_days)
      const live = { ...decoded, entries: decoded.entries.filter(e => e.day >= firstLiveDay) }
      expect(envelopeToJson(valid.version, valid.origin, valid, valid.entries)).toEqual(live)
      expect(valid.staleEntries).toBe(decoded.entries.length - live.entries.length)
      return
    }
    let error: unknown
    try {
      validateEnvelope(bytes, contextOf(v))
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ProtocolError)
    expect(error).toMatchObject({ rule: v.rule, verdict: v.verdict })
  })

  it.each(vectors.filter(v => v.max_arms_per_task_type !== undefined).map(v => [v.name, v] as const))('%s: a receiver holding nothing of the origin merges all but skipped_entries (R30)', (_name, v) => {
    const tracker = openTracker({ dataDir: tempDir(), now: () => v.now_ms, retentionDays: v.retention_days })
    try {
      const receiver = createReceiver({ store: tracker.store, workBits: v.id_work_bits ?? 0, now: () => v.now_ms, originBounds: { maxArmsPerTaskType: v.max_arms_per_task_type } })
      expect(receiver.receive(Buffer.from(v.hex, 'hex'))).toMatchObject({ verdict: 'accepted' })
      const key = (e: { task_type: string, tool: string, model: string, day: number }): string => [e.task_type, e.tool, e.model, e.day].join('|')
      const merged = tracker.store.exchange.hiveCounters().map(c => key({ ...c.entry, task_type: c.entry.taskType }))
      const expected = (v.decoded as EnvelopeJson).entries.filter((_, i) => v.skipped_entries?.includes(i) !== true).map(key)
      expect(merged.sort()).toEqual(expected.sort())
      expect(v.skipped_entries?.length).toBeGreaterThan(0)
    } finally {
      tracker.close()
    }
  })

  it('cover every stateless rule and both kinds', () => {
    const covered = new Set(vectors.map(v => v.rule))
    const stateful = new Set<RuleId>(['R22', 'R23', 'R29', 'R30'])
    const stateless = (Object.keys(RULES) as RuleId[]).filter(r => !stateful.has(r))
    expect(stateless.filter(r => !covered.has(r))).toEqual([])
    expect(new Set(vectors.filter(v => v.verdict === 'ACCEPT').map(v => v.decoded?.kind))).toEqual(new Set(['delta', 'snapshot']))
    for (const v of vectors) if (v.rule !== undefined) expect(v.verdict).toBe(RULES[v.rule].verdict)
  })

  it('histogram-buckets.json is the bucket table of core/histogram.ts', () => {
    const table = JSON.parse(readFileSync(join(dir, 'histogram-buckets.json'), 'utf8')) as { bucket_count: number, upper_bounds_s: number[] }
    expect(table.bucket_count).toBe(BUCKET_COUNT)
    expect(table.upper_bounds_s).toEqual([...UPPER_BOUNDS])
  })

  it('the table is MIN_S * GAMMA^k to within 2 ulps, and ends at the first bound reaching 7 days', () => {
    // data, not recomputed (Node 24 rounds 18 of these one ulp off Node 20), but still the formula
    UPPER_BOUNDS.forEach((bound, k) => {
      expect(Math.abs(bound - MIN_S * GAMMA ** k)).toBeLessThanOrEqual(2 * Number.EPSILON * bound)
    })
    expect(UPPER_BOUNDS[BUCKET_COUNT - 1]).toBeGreaterThanOrEqual(MAX_S)
    expect(UPPER_BOUNDS[BUCKET_COUNT - 2]).toBeLessThan(MAX_S)
  })
})
