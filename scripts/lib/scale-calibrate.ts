import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DAY_MS } from '../../src/core/time.js'
import { createReceiver } from '../../src/hive/receive.js'
import { createSharing } from '../../src/hive/sharing.js'
import { readOutcomeFile } from '../../src/ingest/outcome-file.js'
import { MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES, validateEnvelope } from '../../src/protocol/index.js'
import { pageSyncRequests, type OriginDigest } from '../../src/protocol/sync-digest.js'
import { openTracker } from '../../src/tracker.js'
import { at } from './lists.js'
import { rng } from './measure.js'

/**
 * The measured half of bench:scale: real envelopes and real costs on this machine. Sample nodes
 * (real trackers, real identities) record SWE-bench Verified outcomes (real task types, models
 * and outcome classes; log-normal durations) at one per second, export deltas every
 * `intervalS` and a snapshot of `historyDays` of keys, through the node's own export path
 * (createSharing().export with the gossip size limit); a receiver node runs every envelope
 * through the real receive path (createSharing().receive: decode, verify, validate, merge).
 */
export interface CalibrationOptions {
  csv: string
  dir: string
  samples: number
  intervalS: number
  /** models one node's agent uses (a node does not run all 25) */
  modelsPerNode: number
  historyDays: number
  /** outcomes recorded per history day (keys matter for size, not counts) */
  outcomesPerHistoryDay: number
  nowMs: number
  seed: number
}

export interface EnvelopeSample { bytes: number, entries: number, receiveUs: number }

export interface Calibration {
  deltas: EnvelopeSample[]
  snapshots: EnvelopeSample[]
  /** receive cost: µs per envelope + µs per entry, fitted through the delta and snapshot means */
  perEnvelopeUs: number
  perEntryUs: number
  /** sha256 of a message for its gossip id (what a duplicate costs), µs per byte */
  hashUsPerByte: number
  /** export (read, encode, sign, store) of one delta, µs */
  exportDeltaUs: number
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

export async function calibrate (o: CalibrationOptions): Promise<Calibration> {
  const random = rng(o.seed)
  const { rows } = readOutcomeFile(o.csv)
  const models = [...new Set(rows.map(r => r.input.model as string))]
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const deltaEnvelopes: Uint8Array[] = []
  const snapshotEnvelopes: Uint8Array[] = []
  const exportUs: number[] = []
  for (let s = 0; s < o.samples; s++) {
    const mine = new Set(Array.from({ length: o.modelsPerNode }, () => at(models, Math.floor(random() * models.length), 'model')))
    const pool = rows.filter(r => mine.has(r.input.model as string))
    const outcome = (atMs: number): Record<string, unknown> => ({
      ...at(pool, Math.floor(random() * pool.length), 'row').input,
      id: undefined, // each draw is a new attempt, not a retry of the file's row (ids are idempotency keys)
      duration_s: Math.min(604800, Math.exp(5 + gauss())),
      at: new Date(atMs).toISOString()
    })
    let now = o.nowMs
    const tracker = openTracker({ dataDir: join(o.dir, `sample-${s}`), now: () => now })
    const privateKey = await generateKeyPair('Ed25519')
    tracker.store.exchange.bindSelf(peerIdFromPrivateKey(privateKey).toString())
    const sharing = createSharing({ store: tracker.store, privateKey, now: () => now })
    const history: Array<Record<string, unknown>> = []
    for (let day = 1; day < o.historyDays; day++) {
      for (let i = 0; i < o.outcomesPerHistoryDay; i++) history.push(outcome(o.nowMs - day * DAY_MS - Math.floor(random() * 3_600_000)))
    }
    tracker.recordBatch(history)
    snapshotEnvelopes.push(...(sharing.export('snapshot', MAX_GOSSIP_BYTES)?.envelopes ?? []))
    // then live: one outcome per second, a delta every intervalS (the exporter's path)
    for (let k = 0; k < 4; k++) {
      // recorded as they happen: stamped within the interval just past, never ahead of the clock
      now += o.intervalS * 1000
      tracker.recordBatch(Array.from({ length: o.intervalS }, (_, i) => outcome(now - (o.intervalS - i) * 1000)))
      const t0 = performance.now()
      const exported = sharing.export('delta', MAX_GOSSIP_BYTES)
      exportUs.push((performance.now() - t0) * 1000)
      deltaEnvelopes.push(...(exported?.envelopes ?? []))
    }
    tracker.close()
  }

  // The receiver takes the snapshots first (a node that holds the hive), then the deltas.
  const nowMs = o.nowMs + 4 * o.intervalS * 1000
  const receiver = openTracker({ dataDir: join(o.dir, 'receiver'), now: () => nowMs })
  // the node's receive pipeline; throwaway keys carry no identity work, so R24 is off (one SHA-256 per envelope)
  const pipeline = createReceiver({ store: receiver.store, workBits: 0, now: () => nowMs })
  const measure = (envelopes: Uint8Array[]): EnvelopeSample[] => envelopes.map(bytes => {
    // the entry count, read apart (unmeasured): the verdict does not carry it
    const entries = validateEnvelope(bytes, { nowMs, retentionDays: receiver.store.retentionDays }).entries.length
    const t0 = performance.now()
    const verdict = pipeline.receive(bytes, { via: 'sync' })
    const receiveUs = (performance.now() - t0) * 1000
    if (verdict.verdict !== 'accepted') throw new Error(`calibration envelope not accepted: ${JSON.stringify(verdict)}`)
    return { bytes: bytes.length, entries, receiveUs }
  })
  const snapshots = measure(snapshotEnvelopes)
  const deltas = measure(deltaEnvelopes)
  receiver.close()

  const [dE, dU, sE, sU] = [mean(deltas.map(d => d.entries)), mean(deltas.map(d => d.receiveUs)), mean(snapshots.map(d => d.entries)), mean(snapshots.map(d => d.receiveUs))]
  const perEntryUs = Math.max(0, (sU - dU) / Math.max(1, sE - dE))
  const perEnvelopeUs = Math.max(0, dU - perEntryUs * dE)

  const big = new Uint8Array(64 * 1024)
  const t0 = performance.now()
  for (let i = 0; i < 200; i++) createHash('sha256').update(big).digest()
  const hashUsPerByte = (performance.now() - t0) * 1000 / (200 * big.length)
  return { deltas, snapshots, perEnvelopeUs, perEntryUs, hashUsPerByte, exportDeltaUs: mean(exportUs) }
}

/**
 * Bytes of one node's sync request (all pages) when it holds `origins` origins, each with its
 * newest snapshot and the deltas after it (`heldSeqs` consecutive seqs): the real encoder on real
 * peer ids.
 */
export async function syncRequestBytes (origins: number, heldSeqs: number, hive: string): Promise<{ bytes: number, pages: number }> {
  const digests: OriginDigest[] = []
  for (let i = 0; i < origins; i++) {
    const seq = 8_000 + (i % 1_000)
    digests.push({ origin: peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString(), snapshotSeq: seq, ranges: [[seq, seq + heldSeqs - 1]] })
  }
  digests.sort((a, b) => a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0)
  const pages = pageSyncRequests(hive, digests, MAX_ENVELOPE_BYTES / 2, 2) // version 2, as current nodes send it
  return { bytes: pages.reduce((s, p) => s + p.length, 0), pages: pages.length }
}
