import { Packr } from 'msgpackr'
import { dayOf } from '../core/time.js'
import { OUTCOME_CLASSES, type Outcome } from '../core/types.js'
import type { Db } from './db.js'

/**
 * Raw outcomes, kept per recorded batch: one row holds a batch's outcomes as a msgpack array of
 * tuples (see toTuple). A row per outcome cost about 3 µs of SQLite work each, half the whole
 * recording budget; a batch row costs well under 1 µs per outcome. Raw outcomes never leave
 * the node and are read back only to recompute counters (tests, audits), so nothing is lost by
 * not indexing them per outcome. The idempotency keys that must be looked up one by one live in
 * their own table.
 */
export interface RawOutcomeLog {
  /** Appends the outcomes whose ids are new; returns inserted[i] (false: outcome i's id was recorded before, in this batch or earlier). */
  append: (outcomes: readonly Outcome[]) => boolean[]
  /** Every stored outcome, oldest batch first. */
  all: () => Iterable<Outcome>
  /**
   * Drops outcomes and idempotency keys of days up to `lastDroppedDay`: whole batches, and the
   * old part of a batch that spans the boundary (rare: imports and back-dated batches), rewritten.
   */
  prune: (lastDroppedDay: number) => void
}

// useRecords: false keeps the tuples plain arrays, readable by any msgpack decoder.
const packr = new Packr({ useRecords: false })

type Tuple = [atMs: number, taskType: string, tool: string, model: string, outcome: number, durationS: number | null, costUsd: number | null, offloaded: 0 | 1, userId: string | null, id: string | null]

const CLASS_CODE = new Map<string, number>(OUTCOME_CLASSES.map((c, i) => [c, i]))

const toTuple = (o: Outcome): Tuple =>
  [o.atMs, o.taskType, o.tool, o.model, CLASS_CODE.get(o.outcome) ?? 0, o.durationS, o.costUsd, o.offloaded ? 1 : 0, o.userId, o.id]

const fromTuple = (t: Tuple): Outcome => ({
  atMs: t[0], taskType: t[1], tool: t[2], model: t[3], outcome: OUTCOME_CLASSES[t[4]], durationS: t[5], costUsd: t[6], offloaded: t[7] === 1, userId: t[8], id: t[9]
})

/** The msgpack body of a batch row. */
export const encodeOutcomeBatch = (outcomes: readonly Outcome[]): Buffer => packr.pack(outcomes.map(toTuple))

export function createRawOutcomeLog (db: Db): RawOutcomeLog {
  const insertBatch = db.prepare<[number, number, number, Buffer]>('INSERT INTO outcome_batches (first_day, last_day, count, body) VALUES (?, ?, ?, ?)')
  const insertId = db.prepare<[string, number]>('INSERT OR IGNORE INTO outcome_ids (client_id, day) VALUES (?, ?)')
  const batches = db.prepare<[], { body: Buffer }>('SELECT body FROM outcome_batches ORDER BY seq')
  const pruneBatches = db.prepare<[number]>('DELETE FROM outcome_batches WHERE last_day <= ?')
  const straddling = db.prepare<[number], { seq: number, body: Buffer }>('SELECT seq, body FROM outcome_batches WHERE first_day <= ?')
  const rewriteBatch = db.prepare<[number, number, Buffer, number]>('UPDATE outcome_batches SET first_day = ?, count = ?, body = ? WHERE seq = ?')
  const pruneIds = db.prepare<[number]>('DELETE FROM outcome_ids WHERE day <= ?')

  return {
    append (outcomes) {
      const kept: Outcome[] = []
      let oldestMs = Infinity
      let newestMs = -Infinity
      const inserted = outcomes.map(o => {
        if (o.id !== null && insertId.run(o.id, dayOf(o.atMs)).changes === 0) return false
        kept.push(o)
        oldestMs = Math.min(oldestMs, o.atMs)
        newestMs = Math.max(newestMs, o.atMs)
        return true
      })
      if (kept.length > 0) insertBatch.run(dayOf(oldestMs), dayOf(newestMs), kept.length, encodeOutcomeBatch(kept))
      return inserted
    },
    * all () {
      for (const { body } of batches.iterate()) {
        for (const t of packr.unpack(body) as Tuple[]) yield fromTuple(t)
      }
    },
    prune (lastDroppedDay) {
      pruneBatches.run(lastDroppedDay)
      for (const { seq, body } of straddling.all(lastDroppedDay)) {
        const kept = (packr.unpack(body) as Tuple[]).filter(t => dayOf(t[0]) > lastDroppedDay)
        rewriteBatch.run(kept.reduce((first, t) => Math.min(first, dayOf(t[0])), Infinity), kept.length, packr.pack(kept), seq)
      }
      pruneIds.run(lastDroppedDay)
    }
  }
}
