import { armKeyString } from '../core/counters.js'
import { counterEntry, type CounterEntry, type CounterKey, type OriginJson } from '../core/types.js'
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
export interface IncomingEnvelope extends StoredHeader {
  origin: string
  entries: CounterEntry[]
  bytes: Uint8Array
}

/** What the stateful rules read of an envelope: its place in its origin's sequence and its batch. */
export interface StoredHeader {
  seq: number
  kind: EnvelopeKind
  part: number
  parts: number
}

/**
 * The stateful receive rules of protocol/README.md, which only the store can decide, in the order
 * it checks them: R25 (our own origin), R23 (superseded by a newer complete snapshot), R22 (already
 * held), R26 (a delta older than every one of the MAX_DELTAS_PER_ORIGIN deltas held), R27 (its
 * batch disagrees with a stored envelope's) and, at merge, R29 (only new keys of an origin at its
 * key bound) and R30 (only new arms of an origin at its arm bound in their task types). The rule
 * ids are the protocol's RULES keys, so the receive pipeline passes this on as an IGNORE verdict
 * as is.
 */
export interface StoreRefusal { rule: 'R22' | 'R23' | 'R25' | 'R26' | 'R27' | 'R29' | 'R30', reason: string }

/** Encodes this node's entries as envelopes with seqs firstSeq, firstSeq+1, ... (signing happens here). */
export type BatchEncoder = (batch: { firstSeq: number, kind: EnvelopeKind, createdAtMs: number, entries: CounterEntry[] }) => Uint8Array[]

export interface ExportResult {
  kind: EnvelopeKind
  firstSeq: number
  envelopes: Uint8Array[]
  entries: number
}

/** What merging one envelope did: keys that grew and keys refused (R29), or why it was not stored. */
export type MergeResult = { keysChanged: number, keysRefused: number } | StoreRefusal

/**
 * Most deltas kept per origin after its newest snapshot (protocol/README.md, R26). An honest
 * origin sends a snapshot every 12 exports; beyond this, the oldest deltas are dropped (their keys
 * come back with the origin's next snapshot), and a delta older than all those kept is ignored
 * (it would be dropped at once), so no origin can grow every node's store and sync answers
 * without bound, with or without snapshots.
 */
export const MAX_DELTAS_PER_ORIGIN = 256

/** The protocol's MAX_PARTS (the store does not import protocol/): a batch spans at most this many seqs (R27). */
const MAX_BATCH_SPAN = 1024

/**
 * Most day-counter keys (task type x tool x model x day) one peer origin may hold here (R29).
 * 65,536 covers 24 task types x 30 arms x 90 days; beyond it, entries for new keys are refused
 * (keys already held keep merging), so one origin can make a node store at most ~15 MB of
 * counter rows, however many deltas of fresh keys it signs.
 */
export const MAX_KEYS_PER_ORIGIN = 65_536

/**
 * Most arms (tool x model) one peer origin may hold in one task type here (R30). Every arm costs
 * each uncached ranking of its task type (and every answer's `arms_total`): one origin adding
 * 35,000 arms of n = 2 to one task type made /v1/best take 478 ms instead of 6 ms. 64 is twice
 * what an honest origin holds (the SWE-bench file has 25 models; R29 assumes 30 arms per task
 * type); beyond it, entries for new arms are refused (arms already held keep merging).
 */
export const MAX_ARMS_PER_TASK_TYPE = 64

/** The per-origin bounds a receiver applies when merging (protocol parameters; tests and vectors lower them). */
export interface OriginBounds {
  maxKeys: number
  maxArmsPerTaskType: number
}

export const DEFAULT_ORIGIN_BOUNDS: OriginBounds = Object.freeze({ maxKeys: MAX_KEYS_PER_ORIGIN, maxArmsPerTaskType: MAX_ARMS_PER_TASK_TYPE })

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

export type { OriginJson }

/** newest day of an envelope's (live) entries; null when it has none */
function lastDayOf (entries: readonly CounterEntry[]): number | null {
  return entries.length === 0 ? null : entries.reduce((newest, e) => Math.max(newest, e.day), 0)
}

export function originJson (o: OriginInfo): OriginJson {
  return {
    peer_id: o.peerId,
    self: o.self,
    last_seq: o.lastSeq,
    snapshot_seq: o.snapshotSeq,
    first_seen: o.firstSeenMs === null ? null : new Date(o.firstSeenMs).toISOString(),
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

/** A slice of the origin space by peer id text: from <= id < to; '' leaves that side open. */
export interface OriginRange { from: string, to: string }

export interface Exchange {
  /**
   * Sets this node's peer id (origin 0); refuses a different one than the database already has.
   * `seqEpochMs`, given when the identity is older than this database (the database was lost or
   * replaced, the key kept): a database bound for the first time then continues the origin's
   * sequence from that Unix time in ms (a seq epoch, protocol/README.md "Publishing"), above any
   * seq the origin used before, so peers (which hold those seqs, R22) accept its new envelopes.
   * Returns the epoch when it started one.
   */
  bindSelf: (peerId: string, seqEpochMs?: number) => number | null
  /**
   * Gives this node's origin a new peer id (a re-keyed identity, `hivebench id --mint`): a new
   * origin to peers, whose sequence starts at the epoch `seqEpochMs` (as after a lost database).
   * Our own stored envelopes, signed by the old key, are dropped (sync must not serve them under
   * the new id); the next snapshot carries every live key.
   */
  rebindSelf: (peerId: string, seqEpochMs: number) => number
  /**
   * Exports this node's changed keys (delta) or all live keys (snapshot) in one transaction:
   * read, encode + sign, store the envelopes, advance the sequence number, clear the change
   * marks. A crash before commit leaves marks and seq as they were. A delta with no change
   * exports nothing (null).
   */
  exportEnvelopes: (kind: EnvelopeKind, nowMs: number, encode: BatchEncoder) => ExportResult | null
  /** the change marks: this node's keys recorded since the last export, which the next delta carries */
  pendingKeys: () => CounterKey[]
  /** R25, R23, R22, R26, R27 without writing anything: cheap (a few indexed reads), so it runs before the signature check */
  redundant: (origin: string, header: StoredHeader) => StoreRefusal | null
  /**
   * Stores and merges a validated envelope of a peer origin. R22/R23 are checked again inside
   * the write transaction: another process may have stored the envelope since redundant().
   */
  mergeEnvelope: (envelope: IncomingEnvelope, nowMs: number, bounds?: OriginBounds) => MergeResult
  /**
   * mergeEnvelope for many envelopes in one write transaction, in order (a later envelope sees
   * what an earlier one stored: the same seq twice is R22), results in the same order. One commit
   * and one rollup update for the batch: several times the entries/s of one transaction per
   * envelope (README, "Merge throughput"). All or nothing: an error (a full disk) rolls the whole
   * batch back.
   */
  mergeEnvelopes: (envelopes: readonly IncomingEnvelope[], nowMs: number, bounds?: OriginBounds) => MergeResult[]
  origins: () => OriginInfo[]
  /** whether this origin has been seen (merged or stored) */
  knowsOrigin: (peerId: string) => boolean
  /** how many origins (this node included) are known: cheap, for metrics */
  originCount: () => number
  /**
   * Peer origins (store numbers) this node first saw less than `seniorityMs` before `nowMs`,
   * except the founders: those first seen within `graceMs` of the first peer origin this node
   * saw (a node that joins a hive finds all of it at once). The ranking pools them
   * (core/ranking.ts, seniority). Re-read only when origins come or go or one comes of age.
   */
  newOrigins: (nowMs: number, seniorityMs: number, graceMs: number) => ReadonlySet<number>
  /** per origin, in peer-id order; with `range`, only origins with from <= peer id < to ('' = unbounded) */
  holdings: (range?: OriginRange) => OriginHoldings[]
  /** every origin's day counters keyed by peer id, in a canonical order: equal on nodes that hold the same hive */
  hiveCounters: () => Array<{ origin: string, entry: CounterEntry }>
  /** the bytes of one stored envelope (sync reads them one at a time as the stream drains), or undefined once dropped */
  envelopeBytes: (peerId: string, seq: number) => Uint8Array | undefined
}

export function createExchange (db: Db, rollup: ArmRollup, rawOutcomes: RawOutcomeLog, retentionDays: number): Exchange {
  const selfRow = db.prepare<[], { peer_id: string | null, last_seq: number }>('SELECT peer_id, last_seq FROM origins WHERE id = 0')
  const setSelf = db.prepare<[string]>('UPDATE origins SET peer_id = ? WHERE id = 0')
  const originByPeer = db.prepare<[string], { id: number, snapshot_seq: number, key_count: number }>('SELECT id, snapshot_seq, key_count FROM origins WHERE peer_id = ?')
  const addKeys = db.prepare<[number, number]>('UPDATE origins SET key_count = key_count + ? WHERE id = ?')
  const insertOrigin = db.prepare<[string, number]>('INSERT INTO origins (peer_id, first_seen_ms) VALUES (?, ?)')
  const seenOrigin = db.prepare<[number, number, number]>('UPDATE origins SET last_seq = MAX(last_seq, ?), last_seen_ms = ? WHERE id = ?')
  const setSnapshot = db.prepare<[number, number]>('UPDATE origins SET snapshot_seq = ? WHERE id = ?')
  const hasEnvelope = db.prepare<[number, number], { seq: number }>('SELECT seq FROM envelopes WHERE origin = ? AND seq = ?')
  const insertEnvelope = db.prepare<[number, number, string, Uint8Array, number, number | null, number, number]>(
    'INSERT INTO envelopes (origin, seq, kind, bytes, received_ms, last_day, first_seq, parts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  // R26: how many deltas held are newer than a seq, counted up to the bound (a new seq, the
  // common case, is newer than all of them: one index seek, no scan)
  const newerDeltas = db.prepare<[number, number], { n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM envelopes WHERE origin = ? AND seq > ? AND kind = 'delta' LIMIT ${MAX_DELTAS_PER_ORIGIN})`)
  // R27: a stored envelope (its batch known: stored since schema 8) inside this batch's seqs, or
  // whose batch holds this seq, that disagrees on kind, first seq or parts
  const batchClash = db.prepare<[number, number, number, number, number, number, string, number, number], { seq: number, kind: string, first_seq: number, parts: number }>(
    `SELECT seq, kind, first_seq, parts FROM envelopes WHERE origin = ? AND seq BETWEEN ? AND ? AND parts IS NOT NULL
       AND (seq BETWEEN ? AND ? OR ? BETWEEN first_seq AND first_seq + parts - 1)
       AND (kind != ? OR first_seq != ? OR parts != ?) LIMIT 1`)
  const countSnapshotParts = db.prepare<[number, number, number], { parts: number }>(
    "SELECT COUNT(*) AS parts FROM envelopes WHERE origin = ? AND kind = 'snapshot' AND seq BETWEEN ? AND ?")
  const dropBefore = db.prepare<[number, number]>('DELETE FROM envelopes WHERE origin = ? AND seq < ?')
  const trimDeltas = db.prepare<[number, number, number]>(`DELETE FROM envelopes WHERE origin = ? AND kind = 'delta' AND seq <=
    (SELECT seq FROM envelopes WHERE origin = ? AND kind = 'delta' ORDER BY seq DESC LIMIT 1 OFFSET ?)`)
  const localRow = db.prepare<[string, string, string, number], CounterRow & { task_type: string, tool: string, model: string, day: number }>(
    `SELECT * FROM counters WHERE task_type = ? AND origin = ${LOCAL_ORIGIN} AND tool = ? AND model = ? AND day = ?`)
  // The change marks are the keys of the raw batches recorded since the last export (raw-outcomes.ts);
  // keys pruned since they were marked have no row left, and are skipped.
  const changedRows = (pending: CounterKey[]): Array<CounterRow & { task_type: string, tool: string, model: string, day: number }> =>
    pending.flatMap(k => localRow.get(k.taskType, k.tool, k.model, k.day) ?? [])
  const liveRows = db.prepare<[number], CounterRow & { task_type: string, tool: string, model: string, day: number }>(
    `SELECT * FROM counters WHERE origin = ${LOCAL_ORIGIN} AND day >= ?`)
  const advanceSelf = db.prepare<[number, number]>('UPDATE origins SET last_seq = ?, last_seen_ms = ? WHERE id = 0')
  const holdingsIn = db.prepare<[string, string, string], { id: number, peer_id: string, snapshot_seq: number }>(
    "SELECT id, peer_id, snapshot_seq FROM origins WHERE peer_id IS NOT NULL AND peer_id >= ? AND (? = '' OR peer_id < ?) ORDER BY peer_id")
  const originList = db.prepare<[], { id: number, peer_id: string | null, last_seq: number, snapshot_seq: number, first_seen_ms: number | null, last_seen_ms: number | null, envelopes: number }>(
    'SELECT o.*, (SELECT COUNT(*) FROM envelopes e WHERE e.origin = o.id) AS envelopes FROM origins o WHERE o.peer_id IS NOT NULL ORDER BY o.id')
  const countOrigins = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM origins WHERE peer_id IS NOT NULL')
  const keysPerOrigin = db.prepare<[], { origin: number, keys: number }>('SELECT origin, COUNT(*) AS keys FROM counters GROUP BY origin')
  const heldSeqs = db.prepare<[number], { seq: number }>('SELECT seq FROM envelopes WHERE origin = ? ORDER BY seq')
  const envelopeAt = db.prepare<[string, number], Buffer>('SELECT e.bytes FROM envelopes e JOIN origins o ON o.id = e.origin WHERE o.peer_id = ? AND e.seq = ?').pluck()
  const allCounters = db.prepare<[], CounterRow & { task_type: string, tool: string, model: string, day: number, peer_id: string | null }>(
    'SELECT o.peer_id, c.* FROM counters c JOIN origins o ON o.id = c.origin')
  const newSince = db.prepare<[number, number], { id: number, first_seen_ms: number }>(
    `SELECT id, first_seen_ms FROM origins WHERE id > 0 AND peer_id IS NOT NULL AND first_seen_ms > ?
       AND first_seen_ms > (SELECT MIN(first_seen_ms) FROM origins WHERE id > 0) + ?`)
  const originsVersion = db.prepare<[], [number, number | null]>('SELECT COUNT(*), MAX(id) FROM origins').raw(true)
  let newMemo: { key: string, from: number, until: number, value: ReadonlySet<number> } | undefined
  const mergeCounters = createCounterMerger(db)
  const oldestLiveDay = (nowMs: number): number => dayOf(nowMs) - retentionDays + 1
  const toEntry = (row: CounterRow & { task_type: string, tool: string, model: string, day: number }): CounterEntry =>
    counterEntry({ taskType: row.task_type, tool: row.tool, model: row.model, day: row.day }, countersFromRow(row))

  const redundantIn = (origin: { id: number, snapshot_seq: number }, h: StoredHeader): StoreRefusal | null => {
    const { seq } = h
    // our counters come from our own outcomes: an envelope of ours (relayed back, or signed with our key elsewhere) adds nothing
    if (origin.id === LOCAL_ORIGIN) return { rule: 'R25', reason: 'our own origin' }
    if (seq < origin.snapshot_seq) return { rule: 'R23', reason: `seq ${seq} precedes the newest complete snapshot (${origin.snapshot_seq})` }
    if (hasEnvelope.get(origin.id, seq) !== undefined) return { rule: 'R22', reason: `seq ${seq} already held` }
    if (h.kind === 'delta' && (newerDeltas.get(origin.id, seq)?.n ?? 0) >= MAX_DELTAS_PER_ORIGIN) {
      return { rule: 'R26', reason: `seq ${seq} is older than the ${MAX_DELTAS_PER_ORIGIN} deltas held` }
    }
    const first = seq - h.part
    const clash = batchClash.get(origin.id, seq - MAX_BATCH_SPAN + 1, seq + MAX_BATCH_SPAN - 1, first, first + h.parts - 1, seq, h.kind, first, h.parts)
    if (clash !== undefined) {
      return { rule: 'R27', reason: `batch ${h.kind} ${first}+${h.parts} disagrees with the stored seq ${clash.seq} (${clash.kind} ${clash.first_seq}+${clash.parts})` }
    }
    return null
  }

  const originIdOf = (peerId: string, nowMs: number): { id: number, snapshot_seq: number, key_count: number } => {
    const found = originByPeer.get(peerId)
    if (found !== undefined) return found
    return { id: Number(insertOrigin.run(peerId, nowMs).lastInsertRowid), snapshot_seq: 0, key_count: 0 }
  }

  /** One envelope, inside the batch's transaction: its growth goes to `growth` for the rollup. */
  const mergeOne = (e: IncomingEnvelope, nowMs: number, bounds: OriginBounds, growth: Map<number, CounterEntry[]>): MergeResult => {
    const origin = originIdOf(e.origin, nowMs)
    const redundant = redundantIn(origin, e)
    if (redundant !== null) return redundant
    const grown = growth.get(origin.id) ?? []
    growth.set(origin.id, grown)
    const merged = mergeCounters(origin.id, e.entries, oldestLiveDay(nowMs), { keys: bounds.maxKeys - origin.key_count, armsPerTaskType: bounds.maxArmsPerTaskType }, grown)
    if (merged.created > 0) addKeys.run(merged.created, origin.id)
    // R29, R30: nothing but new keys or arms beyond the origin's bounds: keep nothing, relay nothing
    if (merged.refused + merged.refusedArms > 0 && merged.refused + merged.refusedArms === e.entries.length) {
      return merged.refusedArms > 0
        ? { rule: 'R30', reason: `origin holds ${bounds.maxArmsPerTaskType} arms, the most kept per task type, in every task type of its new arms; they are refused` }
        : { rule: 'R29', reason: `origin holds ${origin.key_count} keys, the most kept (${bounds.maxKeys}); its new keys are refused` }
    }
    // A delta with nothing inside the window carries nothing to relay: keeping it would only let
    // an origin fill every node's store (and every sync) with empty envelopes.
    if (e.kind === 'snapshot' || e.entries.length > 0) {
      insertEnvelope.run(origin.id, e.seq, e.kind, e.bytes, nowMs, lastDayOf(e.entries), e.seq - e.part, e.parts)
      trimDeltas.run(origin.id, origin.id, MAX_DELTAS_PER_ORIGIN)
    }
    seenOrigin.run(e.seq, nowMs, origin.id)
    if (e.kind === 'snapshot') {
      const first = e.seq - e.part
      const held = countSnapshotParts.get(origin.id, first, first + e.parts - 1)?.parts ?? 0
      if (held === e.parts && first > origin.snapshot_seq) {
        dropBefore.run(origin.id, first)
        setSnapshot.run(first, origin.id)
      }
    }
    return { keysChanged: merged.grew, keysRefused: merged.refused + merged.refusedArms }
  }

  /** Runs `merge`, then adds what grew to the rollup once, however many envelopes it merged (one upsert per arm touched). */
  const withRollup = <T>(nowMs: number, merge: (growth: Map<number, CounterEntry[]>) => T): T => {
    const startDay = rollup.startDay(nowMs)
    const growth = new Map<number, CounterEntry[]>()
    const result = merge(growth)
    rollup.add(growth, startDay)
    return result
  }

  return {
    bindSelf: writeTransaction(db, (peerId: string, seqEpochMs?: number): number | null => {
      const self = selfRow.get()
      const current = self?.peer_id ?? null
      if (current === peerId) return null
      if (current !== null) {
        throw new StateError('IDENTITY_MISMATCH', `this database belongs to node ${current}, but the identity key is ${peerId}: restore the original identity.key or use a new data dir`)
      }
      setSelf.run(peerId)
      if (seqEpochMs === undefined || (self?.last_seq ?? 0) >= seqEpochMs) return null
      advanceSelf.run(Math.floor(seqEpochMs), seqEpochMs)
      return Math.floor(seqEpochMs)
    }),

    rebindSelf: writeTransaction(db, (peerId: string, seqEpochMs: number): number => {
      const epoch = Math.max(selfRow.get()?.last_seq ?? 0, Math.floor(seqEpochMs))
      setSelf.run(peerId)
      dropBefore.run(LOCAL_ORIGIN, Number.MAX_SAFE_INTEGER)
      setSnapshot.run(0, LOCAL_ORIGIN)
      advanceSelf.run(epoch, seqEpochMs)
      return epoch
    }),

    exportEnvelopes: writeTransaction(db, (kind: EnvelopeKind, nowMs: number, encode: BatchEncoder): ExportResult | null => {
      // Only days peers accept now: none before the retention window (R21), none after today by
      // this clock (R28). Keys recorded under a clock that ran ahead wait, marked, for their day,
      // instead of getting every later export of this node refused.
      const today = dayOf(nowMs)
      const pending = rawOutcomes.pendingKeys()
      const held = pending.filter(k => k.day > today)
      const exportable = (row: { day: number }): boolean => row.day >= oldestLiveDay(nowMs) && row.day <= today
      const rows = (kind === 'delta' ? changedRows(pending) : liveRows.all(oldestLiveDay(nowMs))).filter(exportable)
      const finish = (): void => {
        rawOutcomes.markExported()
        rawOutcomes.hold(held)
      }
      if (kind === 'delta' && rows.length === 0) {
        finish()
        return null
      }
      const firstSeq = (selfRow.get()?.last_seq ?? 0) + 1
      const envelopes = encode({ firstSeq, kind, createdAtMs: nowMs, entries: rows.map(toEntry) })
      for (const [i, bytes] of envelopes.entries()) insertEnvelope.run(LOCAL_ORIGIN, firstSeq + i, kind, bytes, nowMs, null, firstSeq, envelopes.length)
      // Our own newest snapshot supersedes our older envelopes, as it does for peers (R23).
      if (kind === 'snapshot') {
        dropBefore.run(LOCAL_ORIGIN, firstSeq)
        setSnapshot.run(firstSeq, LOCAL_ORIGIN)
      }
      advanceSelf.run(firstSeq + envelopes.length - 1, nowMs)
      finish()
      return { kind, firstSeq, envelopes, entries: rows.length }
    }),

    pendingKeys: rawOutcomes.pendingKeys,

    redundant: (peerId, header) => {
      const origin = originByPeer.get(peerId)
      return origin === undefined ? null : redundantIn(origin, header)
    },

    mergeEnvelope: writeTransaction(db, (e: IncomingEnvelope, nowMs: number, bounds: OriginBounds = DEFAULT_ORIGIN_BOUNDS): MergeResult =>
      withRollup(nowMs, growth => mergeOne(e, nowMs, bounds, growth))),

    mergeEnvelopes: writeTransaction(db, (envelopes: readonly IncomingEnvelope[], nowMs: number, bounds: OriginBounds = DEFAULT_ORIGIN_BOUNDS): MergeResult[] =>
      withRollup(nowMs, growth => envelopes.map(e => mergeOne(e, nowMs, bounds, growth)))),

    originCount: () => countOrigins.get()?.n ?? 0,

    knowsOrigin: (peerId) => originByPeer.get(peerId) !== undefined,

    newOrigins (nowMs, seniorityMs, graceMs) {
      const key = `${(originsVersion.get() as unknown[]).join(':')}:${seniorityMs}:${graceMs}`
      if (newMemo !== undefined && newMemo.key === key && nowMs >= newMemo.from && nowMs < newMemo.until) return newMemo.value
      const rows = newSince.all(nowMs - seniorityMs, graceMs)
      // valid until the oldest of them comes of age (or for a seniority period, when none is new)
      const until = rows.reduce((u, r) => Math.min(u, r.first_seen_ms + seniorityMs), nowMs + seniorityMs)
      newMemo = { key, from: nowMs, until, value: new Set(rows.map(r => r.id)) }
      return newMemo.value
    },

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

    holdings: (range = { from: '', to: '' }) => holdingsIn.all(range.from, range.to, range.to).map(o => ({
      peerId: o.peer_id,
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

    envelopeBytes (peerId, seq) {
      const bytes = envelopeAt.get(peerId, seq)
      return bytes === undefined ? undefined : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    }
  }
}
