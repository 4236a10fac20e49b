import { createRequire } from 'node:module'
import type { Packr } from 'msgpackr'
import { dayOf } from '../core/time.js'
import { keyString } from '../core/counters.js'
import { OUTCOME_CLASSES, type CounterKey, type Outcome, type OutcomeClass } from '../core/types.js'
import { StateError } from '../errors.js'
import type { Db } from './db.js'
import { EXPORTED_BATCH_SEQ } from './schema.js'

/**
 * Raw outcomes, kept per recorded batch: one row holds a batch's outcomes as a msgpack array of
 * tuples (see toTuple). A row per outcome cost about 3 µs of SQLite work each, half the whole
 * recording budget; a batch row costs well under 1 µs per outcome. Raw outcomes never leave
 * the node and are read back only to recompute counters (tests, audits), so nothing is lost by
 * not indexing them per outcome. The idempotency keys that must be looked up one by one live in
 * their own table.
 */
export interface RawOutcomeLog {
  /** Records the ids of outcomes; returns isNew[i] (false: outcome i's id was recorded before, in this batch or earlier). */
  claimIds: (outcomes: readonly Outcome[]) => boolean[]
  /**
   * Appends a batch of new outcomes with the counter keys it changed. The keys are this node's
   * change marks: the next delta exports the counters of every key appended since the last
   * export (pendingKeys), so marking costs no write beyond this row.
   */
  append: (outcomes: readonly Outcome[], changedKeys: Iterable<CounterKey>) => void
  /** The distinct keys of the batches appended since markExported(). */
  pendingKeys: () => CounterKey[]
  /** Every batch appended so far has been exported (a delta or a snapshot carried its keys). */
  markExported: () => void
  /**
   * Keeps `keys` pending after markExported(): keys dated after today by the exporting clock,
   * which peers would refuse (R28), wait for their day. One empty batch holds them; the
   * previous holding batches, already past the mark, are dropped.
   */
  hold: (keys: readonly CounterKey[]) => void
  /** Every stored outcome, oldest batch first. */
  all: () => Iterable<Outcome>
  /**
   * Drops outcomes and idempotency keys of days up to `lastDroppedDay`: whole batches, and the
   * old part of a batch that spans the boundary (rare: imports and back-dated batches), rewritten.
   */
  prune: (lastDroppedDay: number) => void
}

// useRecords: false keeps the tuples plain arrays, readable by any msgpack decoder. Loaded on
// first use (synchronously, by require): commands that only read counters (best, stats, route)
// never touch a batch, and loading msgpackr with its native extension was ~15 ms of their CPU.
let packrInstance: Packr | undefined
const packr = (): Packr => (packrInstance ??= new (createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr')).Packr({ useRecords: false }))

type Tuple = [atMs: number, taskType: string, tool: string, model: string, outcome: number, durationS: number | null, costUsd: number | null, offloaded: 0 | 1, userId: string | null, id: string | null]

const CLASS_CODE = new Map<string, number>(OUTCOME_CLASSES.map((c, i) => [c, i]))

const toTuple = (o: Outcome): Tuple =>
  [o.atMs, o.taskType, o.tool, o.model, CLASS_CODE.get(o.outcome) ?? 0, o.durationS, o.costUsd, o.offloaded ? 1 : 0, o.userId, o.id]

/** The class of a stored code: a code outside the table means the row was damaged, not a class to guess. */
function classOf (code: number): OutcomeClass {
  const outcome = OUTCOME_CLASSES[code]
  if (outcome === undefined) throw new StateError('DB_CORRUPT', `a raw outcome batch holds outcome class code ${code}, which names no class`)
  return outcome
}

const fromTuple = (t: Tuple): Outcome => ({
  atMs: t[0], taskType: t[1], tool: t[2], model: t[3], outcome: classOf(t[4]), durationS: t[5], costUsd: t[6], offloaded: t[7] === 1, userId: t[8], id: t[9]
})

/** The msgpack body of a batch row. */
const encodeOutcomeBatch = (outcomes: readonly Outcome[]): Buffer => packr().pack(outcomes.map(toTuple))


type KeyTuple = [taskType: string, tool: string, model: string, day: number]

/** The msgpack `keys` of a batch row: its changed counter keys as tuples. */
const encodeBatchKeys = (keys: Iterable<CounterKey>): Buffer => packr().pack(Array.from(keys, (k): KeyTuple => [k.taskType, k.tool, k.model, k.day]))

export function createRawOutcomeLog (db: Db): RawOutcomeLog {
  const exportedSeq = `(SELECT COALESCE(MAX(value), 0) FROM meta WHERE key = '${EXPORTED_BATCH_SEQ}')`
  // seq always grows past the export mark, even after pruning emptied the table:
  // a reused seq at or below it would hide the batch's keys from the next delta.
  const insertBatch = db.prepare<[number, number, number, Buffer, Buffer]>(`INSERT INTO outcome_batches (seq, first_day, last_day, count, body, keys)
    VALUES (1 + MAX((SELECT COALESCE(MAX(seq), 0) FROM outcome_batches), ${exportedSeq}), ?, ?, ?, ?, ?)`)
  const pendingBatchKeys = db.prepare<[], Buffer | null>(`SELECT keys FROM outcome_batches WHERE seq > ${exportedSeq} ORDER BY seq`).pluck()
  // Moves only forward, and writes only when it moves: after pruning, the newest remaining batch
  // may be older than the mark.
  const markExported = db.prepare(`INSERT INTO meta (key, value) SELECT '${EXPORTED_BATCH_SEQ}', seq FROM outcome_batches
    WHERE seq = (SELECT MAX(seq) FROM outcome_batches) AND seq > ${exportedSeq}
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
  const insertId = db.prepare<[string, number]>('INSERT OR IGNORE INTO outcome_ids (client_id, day) VALUES (?, ?)')
  const batches = db.prepare<[], { body: Buffer }>('SELECT body FROM outcome_batches ORDER BY seq')
  const pruneBatches = db.prepare<[number]>('DELETE FROM outcome_batches WHERE last_day <= ?')
  const straddling = db.prepare<[number], { seq: number, body: Buffer }>('SELECT seq, body FROM outcome_batches WHERE first_day <= ?')
  const rewriteBatch = db.prepare<[number, number, Buffer, number]>('UPDATE outcome_batches SET first_day = ?, count = ?, body = ? WHERE seq = ?')
  const pruneIds = db.prepare<[number]>('DELETE FROM outcome_ids WHERE day <= ?')
  const dropExportedHolds = db.prepare(`DELETE FROM outcome_batches WHERE count = 0 AND seq <= ${exportedSeq}`)
  const insertHold = db.prepare<[number, number, Buffer, Buffer]>(`INSERT INTO outcome_batches (seq, first_day, last_day, count, body, keys)
    VALUES (1 + MAX((SELECT COALESCE(MAX(seq), 0) FROM outcome_batches), ${exportedSeq}), ?, ?, 0, ?, ?)`)

  return {
    claimIds: outcomes => outcomes.map(o => o.id === null || insertId.run(o.id, dayOf(o.atMs)).changes === 1),
    append (outcomes, changedKeys) {
      if (outcomes.length === 0) return
      let oldestMs = Infinity
      let newestMs = -Infinity
      for (const o of outcomes) {
        oldestMs = Math.min(oldestMs, o.atMs)
        newestMs = Math.max(newestMs, o.atMs)
      }
      insertBatch.run(dayOf(oldestMs), dayOf(newestMs), outcomes.length, encodeOutcomeBatch(outcomes), encodeBatchKeys(changedKeys))
    },
    pendingKeys () {
      const keys = new Map<string, CounterKey>()
      for (const blob of pendingBatchKeys.iterate()) {
        for (const [taskType, tool, model, day] of blob === null ? [] : packr().unpack(blob) as KeyTuple[]) {
          const key = { taskType, tool, model, day }
          keys.set(keyString(key), key)
        }
      }
      return [...keys.values()]
    },
    markExported: () => { markExported.run() },
    hold (keys) {
      dropExportedHolds.run()
      if (keys.length === 0) return
      // first_day = last_day: pruning drops the row whole, with its newest day
      const day = keys.reduce((newest, k) => Math.max(newest, k.day), 0)
      insertHold.run(day, day, encodeOutcomeBatch([]), encodeBatchKeys(keys))
    },
    * all () {
      for (const { body } of batches.iterate()) {
        for (const t of packr().unpack(body) as Tuple[]) yield fromTuple(t)
      }
    },
    prune (lastDroppedDay) {
      pruneBatches.run(lastDroppedDay)
      for (const { seq, body } of straddling.all(lastDroppedDay)) {
        const kept = (packr().unpack(body) as Tuple[]).filter(t => dayOf(t[0]) > lastDroppedDay)
        rewriteBatch.run(kept.reduce((first, t) => Math.min(first, dayOf(t[0])), Infinity), kept.length, packr().pack(kept), seq)
      }
      pruneIds.run(lastDroppedDay)
    }
  }
}
