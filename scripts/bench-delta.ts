import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import Table from 'cli-table3'
import { DAY_MS } from '../src/core/time.js'
import type { CounterEntry } from '../src/core/types.js'
import { encodeBatch, envelopeToJson, MAX_ENVELOPE_BYTES, validateEnvelope } from '../src/protocol/index.js'
import { readOutcomeFile } from '../src/ingest/outcome-file.js'
import { createSharing } from '../src/hive/sharing.js'
import { openTracker } from '../src/tracker.js'
import { fmt, rng } from './lib/measure.js'

/**
 * npm run bench:delta — size and speed of learning deltas built from the SWE-bench Verified
 * bash-only file (12,500 outcomes) spread over 30 days: bytes per entry beside the same
 * information as JSON and beside the averages-only JSON existing trackers send; encode,
 * decode+verify and merge throughput in entries/s. One process.
 */
const CSV = process.argv[2] ?? new URL('../../../shared/data/swebench-verified-bash-only.csv', import.meta.url).pathname
const NOW = Date.now()
const dir = mkdtempSync(join(tmpdir(), 'hivebench-bench-delta-'))

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN // no deltas, no median
}

function timePerEntry (entries: number, fn: () => void, minMs = 1000): number {
  let runs = 0
  const t0 = performance.now()
  while (performance.now() - t0 < minMs) { fn(); runs++ }
  return entries * runs / ((performance.now() - t0) / 1000)
}

/** The averages-only shape of existing trackers: {task_type: {tool: {success_rate, avg_time_s, sample_count}}}. */
function averagesOnly (entries: CounterEntry[]): string {
  const out: Record<string, Record<string, { success_rate: number, avg_time_s: number | null, sample_count: number }>> = {}
  const sums = new Map<string, { n: number, pass: number, ms: number, nd: number }>()
  for (const e of entries) {
    const k = JSON.stringify([e.taskType, e.tool])
    const s = sums.get(k) ?? { n: 0, pass: 0, ms: 0, nd: 0 }
    s.n += e.n; s.pass += e.pass; s.ms += e.sumDurationMs; s.nd += e.nDuration
    sums.set(k, s)
  }
  for (const [k, s] of sums) {
    const [taskType, tool] = JSON.parse(k) as [string, string]
    out[taskType] ??= {}
    out[taskType][tool] = { success_rate: s.pass / s.n, avg_time_s: s.nd > 0 ? s.ms / s.nd / 1000 : null, sample_count: s.n }
  }
  return JSON.stringify(out)
}

async function run (label: string, withDurations: boolean): Promise<string[][]> {
  const random = rng(7)
  const { rows } = readOutcomeFile(CSV)
  const inputs = rows.map(({ input }, i) => ({
    ...input,
    at: new Date(NOW - (i % 30) * DAY_MS - 60_000).toISOString(),
    // the file publishes no durations; the second run adds log-normal ones to show histogram cost
    ...(withDurations ? { duration_s: Math.exp(5 + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())) } : {})
  }))
  const tracker = openTracker({ dataDir: join(dir, `${label}-src`), now: () => NOW })
  const privateKey = await generateKeyPair('Ed25519')
  tracker.store.exchange.bindSelf(peerIdFromPrivateKey(privateKey).toString())
  const sharing = createSharing({ store: tracker.store, privateKey, now: () => NOW })
  // One delta per day of outcomes, as a node exporting through a month would send them.
  const envelopes: Uint8Array[] = []
  const perEntry: number[] = []
  for (let day = 0; day < 30; day++) {
    tracker.recordBatch(inputs.filter((_, i) => i % 30 === day))
    const exported = sharing.export('delta', MAX_ENVELOPE_BYTES)
    if (exported === null) continue
    envelopes.push(...exported.envelopes)
    perEntry.push(exported.envelopes.reduce((s, e) => s + e.length, 0) / exported.entries)
  }
  const entries = tracker.store.localCounters()
  const batch = { firstSeq: 1, kind: 'delta' as const, createdAtMs: NOW, entries }
  const wireBytes = envelopes.reduce((s, e) => s + e.length, 0)
  const jsonBytes = Buffer.byteLength(JSON.stringify(envelopeToJson(1, peerIdFromPrivateKey(privateKey).toString(), { seq: 1, kind: 'delta', createdAtMs: NOW, part: 0, parts: 1 }, entries)))
  const avgBytes = Buffer.byteLength(averagesOnly(entries))

  const encodeRate = timePerEntry(entries.length, () => encodeBatch(batch, privateKey, MAX_ENVELOPE_BYTES))
  const decodeRate = timePerEntry(entries.length, () => { for (const e of envelopes) validateEnvelope(e, { nowMs: NOW, retentionDays: 90 }) })
  // (the 30 deltas together carry every key exactly once: each day's outcomes touch only that day's keys)
  /**
   * entries/s merging envelopes into fresh stores: each envelope its own transaction
   * (mergeEnvelope), or all of them in one (mergeEnvelopes, as a sync catch-up can), the two
   * alternating in the same run
   */
  const mergeRates = (name: string, batch: Uint8Array[]): { single: number, batched: number } => {
    const valid = batch.map(e => validateEnvelope(e, { nowMs: NOW, retentionDays: 90 }))
    const count = valid.reduce((s, v) => s + v.entries.length, 0)
    const ms = { single: 0, batched: 0 }
    let merges = 0
    const started = performance.now()
    while (performance.now() - started < 4000 || merges < 4) {
      const mode = merges % 2 === 0 ? 'single' : 'batched'
      const receiver = openTracker({ dataDir: join(dir, `${label}-${name}-${merges}`), now: () => NOW })
      const t0 = performance.now()
      if (mode === 'single') for (const v of valid) receiver.store.exchange.mergeEnvelope(v, NOW)
      else receiver.store.exchange.mergeEnvelopes(valid, NOW)
      ms[mode] += performance.now() - t0
      receiver.close()
      merges++
    }
    const runs = Math.floor(merges / 2)
    return { single: count * Math.ceil(merges / 2) / (ms.single / 1000), batched: count * runs / (ms.batched / 1000) }
  }
  const deltaMerge = mergeRates('deltas', envelopes)
  const snapshotMerge = mergeRates('snapshot', sharing.export('snapshot', MAX_ENVELOPE_BYTES)?.envelopes ?? [])
  tracker.close()

  return [
    [`${label}: entries (keys)`, fmt(entries.length), ''],
    ['  30 daily deltas, signed envelope bytes', fmt(wireBytes), `${envelopes.length} envelopes`],
    ['  bytes per entry: median over the deltas / overall', `${fmt(median(perEntry), 1)} / ${fmt(wireBytes / entries.length, 1)}`, 'envelope bytes / entries, signature and string table included; target median <= 60'],
    ['  same information as JSON, bytes per entry', fmt(jsonBytes / entries.length, 1), `msgpack is ${(jsonBytes / wireBytes).toFixed(1)}x smaller (target >= 2x)`],
    ['  averages-only JSON (existing trackers), bytes', fmt(avgBytes), `${(avgBytes / wireBytes).toFixed(2)}x the delta; it has no models, days, classes, latency or signature`],
    ['  encode + sign, entries/s', fmt(encodeRate), ''],
    ['  decode + verify + validate, entries/s', fmt(decodeRate), ''],
    ['  merge into SQLite, entries/s: the 30 daily deltas', fmt(deltaMerge.single), 'mergeEnvelope, one transaction per ~200-entry envelope; target >= 200,000 (issue 14)'],
    ['  merge into SQLite, entries/s: the 30 daily deltas, one batch', fmt(deltaMerge.batched), `mergeEnvelopes, one transaction: ${(deltaMerge.batched / deltaMerge.single).toFixed(2)}x one each`],
    ['  merge into SQLite, entries/s: one snapshot', fmt(snapshotMerge.single), 'a late joiner or a file import; target >= 100,000']
  ]
}

try {
  const table = new Table({ head: ['figure', 'value', 'note'], style: { head: [], border: [] } })
  table.push(...await run('SWE-bench file (no durations)', false), ...await run('same keys with durations', true))
  console.log('hivebench bench:delta  (12,500 SWE-bench Verified outcomes spread over 30 days; one process)\n')
  console.log(table.toString())
} finally {
  rmSync(dir, { recursive: true, force: true })
}
