import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import Table from 'cli-table3'
import { DAY_MS } from '../src/core/time.js'
import { createReceiver, ruleOf } from '../src/hive/receive.js'
import { createSharing } from '../src/hive/sharing.js'
import { readOutcomeFile } from '../src/ingest/outcome-file.js'
import { decodeEnvelope, MAX_ENTRIES, MAX_GOSSIP_BYTES, ProtocolError, validateEnvelope } from '../src/protocol/index.js'
import type { Store } from '../src/store/index.js'
import { openTracker } from '../src/tracker.js'
import { fmt } from './lib/measure.js'

/**
 * npm run bench:receive — envelopes/s through the receive pipeline, for envelopes seen for the
 * first time and for duplicates (on gossip every mesh peer forwards each message, so most
 * arrivals are duplicates). Baseline, timed in the same run: the pipeline before the redesign,
 * rebuilt from the same parts: decode for the blocked-origin check, then decode again, verify the
 * signature, check every entry, and only then ask the store whether it holds the envelope (R22).
 * Data: the 12,500 SWE-bench Verified outcomes as 30 daily deltas in gossip-sized envelopes.
 */
const CSV = process.argv[2] ?? new URL('../../../shared/data/swebench-verified-bash-only.csv', import.meta.url).pathname
const NOW = Date.now()
const DUPLICATE_MS = 1500
/** rounds, alternating the two paths so both see the same machine; the median is reported */
const ROUNDS = 3
const dir = mkdtempSync(join(tmpdir(), 'hivebench-bench-receive-'))

/** The receive path of commit 7f7f199 (receive-guard.ts + sharing.receive), for comparison. */
function oldReceive (store: Store, bytes: Uint8Array): string {
  try {
    decodeEnvelope(bytes, { maxBytes: MAX_GOSSIP_BYTES, maxEntries: MAX_ENTRIES }) // the guard's claimedOrigin()
    const envelope = validateEnvelope(bytes, { nowMs: NOW, retentionDays: store.retentionDays, limits: { maxBytes: MAX_GOSSIP_BYTES } })
    const merged = store.exchange.mergeEnvelope(envelope, NOW)
    return 'rule' in merged ? merged.rule : 'accepted'
  } catch (err) {
    if (err instanceof ProtocolError) return err.rule
    throw err
  }
}

async function envelopes (): Promise<Uint8Array[]> {
  const { rows } = readOutcomeFile(CSV)
  const tracker = openTracker({ dataDir: join(dir, 'src'), now: () => NOW })
  const privateKey = await generateKeyPair('Ed25519')
  tracker.store.exchange.bindSelf(peerIdFromPrivateKey(privateKey).toString())
  const sharing = createSharing({ store: tracker.store, privateKey, now: () => NOW })
  const out: Uint8Array[] = []
  for (let day = 0; day < 30; day++) {
    tracker.recordBatch(rows.filter((_, i) => i % 30 === day).map(({ input }) => ({ ...input, at: new Date(NOW - day * DAY_MS - 60_000).toISOString() })))
    out.push(...(sharing.export('delta', MAX_GOSSIP_BYTES)?.envelopes ?? []))
  }
  tracker.close()
  return out
}

/** envelopes/s of `receive` over every envelope once (first receipt), then over them again and again (duplicates) */
function measureOnce (name: string, batch: Uint8Array[], pipeline: (store: Store) => (bytes: Uint8Array) => string): { first: number, duplicate: number } {
  const tracker = openTracker({ dataDir: join(dir, name), now: () => NOW })
  const receive = pipeline(tracker.store)
  try {
    let t0 = performance.now()
    for (const bytes of batch) {
      const v = receive(bytes)
      if (v !== 'accepted') throw new Error(`${name}: first receipt gave ${v}`)
    }
    const first = batch.length / ((performance.now() - t0) / 1000)
    let count = 0
    t0 = performance.now()
    while (performance.now() - t0 < DUPLICATE_MS) {
      for (const bytes of batch) {
        const v = receive(bytes)
        if (v !== 'R22') throw new Error(`${name}: duplicate gave ${v}`)
      }
      count += batch.length
    }
    return { first, duplicate: count / ((performance.now() - t0) / 1000) }
  } finally {
    tracker.close()
  }
}

try {
  const batch = await envelopes()
  const entries = batch.reduce((s, e) => s + e.length, 0)
  const paths = {
    old: (store: Store) => (bytes: Uint8Array) => oldReceive(store, bytes),
    new: (store: Store) => {
      const receiver = createReceiver({ store, workBits: 0, now: () => NOW }) // throwaway keys: R24 off
      return (bytes: Uint8Array) => ruleOf(receiver.receive(bytes, { via: 'gossip', peer: 'bench' })) ?? 'accepted'
    }
  }
  const runs: { old: Array<{ first: number, duplicate: number }>, new: Array<{ first: number, duplicate: number }> } = { old: [], new: [] }
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of ['old', 'new'] as const) runs[path].push(measureOnce(`${path}-${round}`, batch, paths[path]))
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
  const summary = (path: 'old' | 'new'): { first: number, duplicate: number } =>
    ({ first: median(runs[path].map(r => r.first)), duplicate: median(runs[path].map(r => r.duplicate)) })
  const old = summary('old')
  const current = summary('new')
  const table = new Table({ head: ['envelopes/s', 'before (7f7f199 path)', 'after (src/hive/receive.ts)', 'ratio'], style: { head: [], border: [] } })
  table.push(
    ['first receipt (accepted)', fmt(old.first), fmt(current.first), `${(current.first / old.first).toFixed(2)}x`],
    ['duplicate (R22 IGNORE)', fmt(old.duplicate), fmt(current.duplicate), `${(current.duplicate / old.duplicate).toFixed(1)}x`]
  )
  console.log(`hivebench bench:receive  (${batch.length} gossip-sized envelopes, ${fmt(entries)} bytes, from the 12,500 SWE-bench outcomes as 30 daily deltas; one process; median of ${ROUNDS} rounds, alternating the paths)\n`)
  console.log(table.toString())
} finally {
  rmSync(dir, { recursive: true, force: true })
}

