import { armKeyString } from '../core/counters.js'
import { counterEntry, type CounterEntry, type CounterKey } from '../core/types.js'
import { StateError } from '../errors.js'
import { dayOf } from '../core/time.js'
import { countersFromRow, type CounterRow } from './counter-columns.js'
import { writeTransaction, type Db } from './db.js'
import { LOCAL_ORIGIN } from './schema.js'
import { createCounterMerger } from './merge.js'
import type { RawOutcomeLog } from './raw-outcomes.js'
import type { ArmRollup } from './rollup.js'

export type EnvelopeKind = 'delta' | 'snapshot'

/** What the store needs of a validated envelope (src/protocol's ValidEnvelope satisfies it). */
export interface IncomingEnvelope {
  origin: string
  seq: number
  kind: EnvelopeKind
  part: number
  parts: number
  entries: CounterEntry[]
  bytes: Uint8Array
}

/**
 * The stateful receive rules of protocol/README.md, which only the store can decide: R22 (already
 * held, or our own) and R23 (superseded by a newer complete snapshot). The rule ids are the
 * protocol's RULES keys, so the receive pipeline passes this on as an IGNORE verdict as is.
 */
export interface Redundant { rule: 'R22' | 'R23', reason: string }

/** Encodes this node's entries as envelopes with seqs firstSeq, firstSeq+1, ... (signing happens here). */
export type BatchEncoder = (batch: { firstSeq: number, kind: EnvelopeKind, createdAtMs: number, entries: CounterEntry[] }) => Uint8Array[]

export interface ExportResult {
  kind: EnvelopeKind
  firstSeq: number
  envelopes: Uint8Array[]
  entries: number
}

/**
 * Most deltas kept per origin after its newest snapshot. An honest origin sends a snapshot every
 * 12 exports; beyond this, the oldest deltas are dropped (their keys come back with the origin's
 * next snapshot), so no origin can grow every node's store and sync answers without bound.
 */
export const MAX_DELTAS_PER_ORIGIN = 256

export interface OriginInfo {
  peerId: string
  self: boolean
  lastSeq: number
  snapshotSeq: number
  firstSeenMs: number | null
  lastSeenMs: number | null
  envelopes: number
  /** day-counter keys this origin contributes */
  keys: number
}

/** An origin as the API and `hivebench peers --json` show it. */
export interface OriginJson {
  peer_id: string
  self: boolean
  last_seq: number
  snapshot_seq: number
  last_seen: string | null
  envelopes: number
  keys: number
}

export function originJson (o: OriginInfo): OriginJson {
  return {
    peer_id: o.peerId,
    self: o.self,
    last_seq: o.lastSeq,
    snapshot_seq: o.snapshotSeq,
    last_seen: o.lastSeenMs === null ? null : new Date(o.lastSeenMs).toISOString(),
    envelopes: o.envelopes,
    keys: o.keys
  }
}

/** Per origin: the newest complete snapshot's first seq and the seqs held, for sync digests. */
export interface OriginHoldings {
  peerId: string
  snapshotSeq: number
  seqs: number[]
}

export interface Exchange {
  /** Sets this node's peer id (origin 0); refuses a different one than the database already has. */
  bindSelf: (peerId: string) => void
  /**
   * Exports this node's changed keys (delta) or all live keys (snapshot) in one transaction:
   * read, encode + sign, store the envelopes, advance the sequence number, clear the change
   * marks. A crash before commit leaves marks and seq as they were. A delta with no change
   * exports nothing (null).
   */
  exportEnvelopes: (kind: EnvelopeKind, nowMs: number, encode: BatchEncoder) => ExportResult | null
  /** the change marks: this node's keys recorded since the last export, which the next delta carries */
  pendingKeys: () => CounterKey[]
  /** R22/R23 without writing anything: cheap (one or two indexed reads), so it runs before the signature check */
  redundant: (origin: string, seq: number) => Redundant | null
  /**
   * Stores and merges a validated envelope of a peer origin. R22/R23 are checked again inside
   * the write transaction: another process may have stored the envelope since redundant().
   */
  mergeEnvelope: (envelope: IncomingEnvelope, nowMs: number) => { keysChanged: number } | Redundant
  origins: () => OriginInfo[]
  /** how many origins (this node included) are known: cheap, for metrics */
  originCount: () => number
  holdings: () => OriginHoldings[]
  /** every origin's day counters keyed by peer id, in a canonical order: equal on nodes that hold the same hive */
  hiveCounters: () => Array<{ origin: string, entry: CounterEntry }>
  /** stored envelopes of one origin with seq >= fromSeq, in seq order (for sync and relay) */
  envelopesOf: (peerId: string, fromSeq: number) => Array<{ seq: number, bytes: Uint8Array }>
}

export function createExchange (db: Db, rollup: ArmRollup, rawOutcomes: RawOutcomeLog, retentionDays: number): Exchange {
  const selfRow = db.prepare<[], { peer_id: string | null, last_seq: number }>('SELECT peer_id, last_seq FROM origins WHERE id = 0')
  const setSelf = db.prepare<[string]>('UPDATE origins SET peer_id = ? WHERE id = 0')
  const originByPeer = db.prepare<[string], { id: number, snapshot_seq: number }>('SELECT id, snapshot_seq FROM origins WHERE peer_id = ?')
  const insertOrigin = db.prepare<[string, number]>('INSERT INTO origins (peer_id, first_seen_ms) VALUES (?, ?)')
  const seenOrigin = db.prepare<[number, number, number]>('UPDATE origins SET last_seq = MAX(last_seq, ?), last_seen_ms = ? WHERE id = ?')
  const setSnapshot = db.prepare<[number, number]>('UPDATE origins SET snapshot_seq = ? WHERE id = ?')
  const hasEnvelope = db.prepare<[number, number], { seq: number }>('SELECT seq FROM envelopes WHERE origin = ? AND seq = ?')
  const insertEnvelope = db.prepare<[number, number, string, Uint8Array, number]>('INSERT INTO envelopes (origin, seq, kind, bytes, received_ms) VALUES (?, ?, ?, ?, ?)')
  const countSnapshotParts = db.prepare<[number, number, number], { parts: number }>(
    "SELECT COUNT(*) AS parts FROM envelopes WHERE origin = ? AND kind = 'snapshot' AND seq BETWEEN ? AND ?")
  const dropBefore = db.prepare<[number, number]>('DELETE FROM envelopes WHERE origin = ? AND seq < ?')
  const trimDeltas = db.prepare<[number, number, number]>(`DELETE FROM envelopes WHERE origin = ? AND kind = 'delta' AND seq <=
    (SELECT seq FROM envelopes WHERE origin = ? AND kind = 'delta' ORDER BY seq DESC LIMIT 1 OFFSET ?)`)
  const localRow = db.prepare<[string, string, string, number], CounterRow & { task_type: string, tool: string, model: string, day: number }>(
    `SELECT * FROM counters WHERE task_type = ? AND origin = ${LOCAL_ORIGIN} AND tool = ? AND model = ? AND day = ?`)
  // The change marks are the keys of the raw batches recorded since the last export (raw-outcomes.ts);
  // keys pruned since they were marked have no row left, and are skipped.
  const changedRows = (): Array<CounterRow & { task_type: string, tool: string, model: string, day: number }> =>
    rawOutcomes.pendingKeys().flatMap(k => localRow.get(k.taskType, k.tool, k.model, k.day) ?? [])
  const liveRows = db.prepare<[number], CounterRow & { task_type: string, tool: string, model: string, day: number }>(
    `SELECT * FROM counters WHERE origin = ${LOCAL_ORIGIN} AND day >= ?`)
  const advanceSelf = db.prepare<[number, number]>('UPDATE origins SET last_seq = ?, last_seen_ms = ? WHERE id = 0')
  const originList = db.prepare<[], { id: number, peer_id: string | null, last_seq: number, snapshot_seq: number, first_seen_ms: number | null, last_seen_ms: number | null, envelopes: number }>(
    'SELECT o.*, (SELECT COUNT(*) FROM envelopes e WHERE e.origin = o.id) AS envelopes FROM origins o WHERE o.peer_id IS NOT NULL ORDER BY o.id')
  const countOrigins = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM origins WHERE peer_id IS NOT NULL')
  const keysPerOrigin = db.prepare<[], { origin: number, keys: number }>('SELECT origin, COUNT(*) AS keys FROM counters GROUP BY origin')
  const heldSeqs = db.prepare<[number], { seq: number }>('SELECT seq FROM envelopes WHERE origin = ? ORDER BY seq')
  const envelopesFrom = db.prepare<[number, number], { seq: number, bytes: Buffer }>('SELECT seq, bytes FROM envelopes WHERE origin = ? AND seq >= ? ORDER BY seq')
  const allCounters = db.prepare<[], CounterRow & { task_type: string, tool: string, model: string, day: number, peer_id: string | null }>(
    'SELECT o.peer_id, c.* FROM counters c JOIN origins o ON o.id = c.origin')
  const mergeCounters = createCounterMerger(db, rollup)
  const oldestLiveDay = (nowMs: number): number => dayOf(nowMs) - retentionDays + 1
  const toEntry = (row: CounterRow & { task_type: string, tool: string, model: string, day: number }): CounterEntry =>
    counterEntry({ taskType: row.task_type, tool: row.tool, model: row.model, day: row.day }, countersFromRow(row))

  const redundantIn = (origin: { id: number, snapshot_seq: number }, seq: number): Redundant | null => {
    if (origin.id === LOCAL_ORIGIN) return { rule: 'R22', reason: 'our own envelope' }
    if (seq < origin.snapshot_seq) return { rule: 'R23', reason: `seq ${seq} precedes the newest complete snapshot (${origin.snapshot_seq})` }
    if (hasEnvelope.get(origin.id, seq) !== undefined) return { rule: 'R22', reason: `seq ${seq} already held` }
    return null
  }

  const originIdOf = (peerId: string, nowMs: number): { id: number, snapshot_seq: number } => {
    const found = originByPeer.get(peerId)
    if (found !== undefined) return found
    return { id: Number(insertOrigin.run(peerId, nowMs).lastInsertRowid), snapshot_seq: 0 }
  }

  return {
    bindSelf: writeTransaction(db, (peerId: string) => {
      const current = selfRow.get()?.peer_id ?? null
      if (current === peerId) return
      if (current !== null) {
        throw new StateError('IDENTITY_MISMATCH', `this database belongs to node ${current}, but the identity key is ${peerId}: restore the original identity.key or use a new data dir`)
      }
      setSelf.run(peerId)
    }),

    exportEnvelopes: writeTransaction(db, (kind: EnvelopeKind, nowMs: number, encode: BatchEncoder): ExportResult | null => {
      rollup.startDay(nowMs) // runs the daily pruning first, so no expired day is exported
      const rows = kind === 'delta' ? changedRows() : liveRows.all(oldestLiveDay(nowMs))
      if (kind === 'delta' && rows.length === 0) {
        rawOutcomes.markExported()
        return null
      }
      const firstSeq = (selfRow.get()?.last_seq ?? 0) + 1
      const envelopes = encode({ firstSeq, kind, createdAtMs: nowMs, entries: rows.map(toEntry) })
      for (const [i, bytes] of envelopes.entries()) insertEnvelope.run(LOCAL_ORIGIN, firstSeq + i, kind, bytes, nowMs)
      // Our own newest snapshot supersedes our older envelopes, as it does for peers (R23).
      if (kind === 'snapshot') {
        dropBefore.run(LOCAL_ORIGIN, firstSeq)
        setSnapshot.run(firstSeq, LOCAL_ORIGIN)
      }
      advanceSelf.run(firstSeq + envelopes.length - 1, nowMs)
      rawOutcomes.markExported()
      return { kind, firstSeq, envelopes, entries: rows.length }
    }),

    pendingKeys: rawOutcomes.pendingKeys,

    redundant: (peerId, seq) => {
      const origin = originByPeer.get(peerId)
      return origin === undefined ? null : redundantIn(origin, seq)
    },

    mergeEnvelope: writeTransaction(db, (e: IncomingEnvelope, nowMs: number): { keysChanged: number } | Redundant => {
      const origin = originIdOf(e.origin, nowMs)
      const redundant = redundantIn(origin, e.seq)
      if (redundant !== null) return redundant
      // A delta with nothing inside the window carries nothing to relay: keeping it would only let
      // an origin fill every node's store (and every sync) with empty envelopes.
      if (e.kind === 'snapshot' || e.entries.length > 0) {
        insertEnvelope.run(origin.id, e.seq, e.kind, e.bytes, nowMs)
        trimDeltas.run(origin.id, origin.id, MAX_DELTAS_PER_ORIGIN)
      }
      const startDay = rollup.startDay(nowMs)
      const keysChanged = mergeCounters(origin.id, e.entries, startDay, oldestLiveDay(nowMs))
      seenOrigin.run(e.seq, nowMs, origin.id)
      if (e.kind === 'snapshot') {
        const first = e.seq - e.part
        const held = countSnapshotParts.get(origin.id, first, first + e.parts - 1)?.parts ?? 0
        if (held === e.parts && first > origin.snapshot_seq) {
          dropBefore.run(origin.id, first)
          setSnapshot.run(first, origin.id)
        }
      }
      return { keysChanged }
    }),

    originCount: () => countOrigins.get()?.n ?? 0,

    origins () {
      const keys = new Map(keysPerOrigin.all().map(r => [r.origin, r.keys]))
      return originList.all().map(o => ({
        peerId: o.peer_id ?? '',
        self: o.id === LOCAL_ORIGIN,
        lastSeq: o.last_seq,
        snapshotSeq: o.snapshot_seq,
        firstSeenMs: o.first_seen_ms,
        lastSeenMs: o.last_seen_ms,
        envelopes: o.envelopes,
        keys: keys.get(o.id) ?? 0
      }))
    },

    holdings: () => originList.all().map(o => ({
      peerId: o.peer_id ?? '',
      snapshotSeq: o.snapshot_seq,
      seqs: heldSeqs.all(o.id).map(r => r.seq)
    })),

    hiveCounters () {
      // one sort key per row, computed once (a comparator building keys is O(n log n) JSON work)
      const rows = allCounters.all().map(row => {
        const entry = toEntry(row)
        const origin = row.peer_id ?? '(this node)'
        return { origin, entry, key: `${origin.length}:${origin}${armKeyString(entry)}` }
      })
      rows.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : a.entry.day - b.entry.day)
      return rows.map(({ origin, entry }) => ({ origin, entry }))
    },

    envelopesOf (peerId, fromSeq) {
      const origin = originByPeer.get(peerId)
      if (origin === undefined) return []
      return envelopesFrom.all(origin.id, fromSeq).map(r => ({ seq: r.seq, bytes: new Uint8Array(r.bytes) }))
    }
  }
}
