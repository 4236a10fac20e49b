import { DAY_MS, dayOf } from '../core/time.js'
import type { Db } from './db.js'
import type { RawOutcomeLog } from './raw-outcomes.js'

/**
 * Retention pruning that never follows a clock jump. Days older than the retention window are
 * dropped against a *pruning day* kept in the database (meta.retention_day), a high-water mark
 * that advances to today's date by at most one day per day of real time this process has seen
 * (a monotonic clock, which wall-clock jumps do not move), plus one day per process start (so a
 * node restarted on a new day prunes the day that left the window). A wall clock that jumps 100
 * days ahead for a second therefore prunes at most one day more than it should, never the whole
 * store; a node that was off for N days keeps the extra days on disk until its uptime catches up
 * (they are outside every answer and export already: those use the clock, not this mark).
 *
 * Peers' envelopes whose entries all lie in pruned days are dropped with them, so a day pruned
 * by mistake is no longer claimed in this node's sync digest: the next sync brings it back.
 */
export interface RetentionReport {
  /** the day pruning now stands at: days <= pruningDay - retentionDays are gone */
  pruningDay: number
  /** today by the wall clock */
  today: number
  /** today - pruningDay when the wall clock is ahead of what real elapsed time allows (a jump, or downtime), else 0 */
  heldBackDays: number
  /** rows removed in this run */
  pruned: { counters: number, envelopes: number, origins: number }
}

export interface RetentionOptions {
  retentionDays: number
  /** the rollup's window (its meta.window_start_day dates an older store's last pruning) */
  windowDays: number
  /** wall clock at open (ms) */
  openedAtMs: number
  /** monotonic milliseconds (default performance.now): wall-clock jumps do not move it */
  monotonicMs?: () => number
}

export const RETENTION_DAY_KEY = 'retention_day'

export interface Retention {
  /** At open, before anything moves the window: dates a store that has no pruning day yet. */
  init: (nowMs: number) => void
  run: (nowMs: number) => RetentionReport
}

export function createRetention (db: Db, rawOutcomes: RawOutcomeLog, options: RetentionOptions): Retention {
  const monotonic = options.monotonicMs ?? (() => performance.now())
  const read = db.prepare<[string], number>('SELECT value FROM meta WHERE key = ?').pluck()
  const write = db.prepare<[string, number]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
  const pruneCounters = db.prepare<[number]>('DELETE FROM counters WHERE day <= ?')
  const clearKeyCounts = db.prepare('UPDATE origins SET key_count = 0')
  const keyCounts = db.prepare<[], { origin: number, n: number }>('SELECT origin, COUNT(*) AS n FROM counters GROUP BY origin')
  const setKeyCount = db.prepare<[number, number]>('UPDATE origins SET key_count = ? WHERE id = ?')
  // an origin with nothing left, unheard of for the whole retention window, is forgotten: anything
  // it could still send is stale (R21), and origin rows must not pile up for good
  const pruneOrigins = db.prepare<[number]>(`DELETE FROM origins WHERE id > 0 AND key_count = 0
    AND NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.origin = origins.id) AND COALESCE(last_seen_ms, first_seen_ms, 0) < ?`)
  const pruneEnvelopes = db.prepare<[number]>('DELETE FROM envelopes WHERE origin > 0 AND last_day IS NOT NULL AND last_day <= ?')
  const monoAtOpen = monotonic()

  /**
   * A store from before this mark existed starts from the last day its rollup was built for
   * (the day it last pruned against); a new store starts today.
   */
  const initialDay = (today: number): number => {
    const windowStart = read.get('window_start_day')
    return windowStart === undefined ? today : Math.min(today, windowStart + options.windowDays - 1)
  }

  let startDay: number | undefined
  let prunedOnce = false
  return {
    init (nowMs) {
      if (read.get(RETENTION_DAY_KEY) === undefined) write.run(RETENTION_DAY_KEY, initialDay(dayOf(nowMs)))
    },
    run (nowMs) {
      const today = dayOf(nowMs)
      const stored = read.get(RETENTION_DAY_KEY) ?? initialDay(today)
      startDay ??= stored
      // one day per start, then one per real day elapsed, and never past the day the clock had at
      // open plus the real time elapsed since (a jump after open does not count)
      const realDays = Math.floor((monotonic() - monoAtOpen) / DAY_MS)
      const allowed = Math.min(startDay + 1 + realDays, dayOf(options.openedAtMs + (monotonic() - monoAtOpen)))
      const pruningDay = Math.max(stored, Math.min(today, allowed))
      const pruned = { counters: 0, envelopes: 0, origins: 0 }
      // once per process, then whenever the mark moves (the raw log has no day index: no hourly scans)
      if (pruningDay !== stored || !prunedOnce) {
        prunedOnce = true
        write.run(RETENTION_DAY_KEY, pruningDay)
        const lastDroppedDay = pruningDay - options.retentionDays
        pruned.counters = pruneCounters.run(lastDroppedDay).changes
        if (pruned.counters > 0) {
          // the per-origin key counts that MAX_KEYS_PER_ORIGIN bounds, recounted (once a day at most)
          clearKeyCounts.run()
          for (const { origin, n } of keyCounts.all()) setKeyCount.run(n, origin)
        }
        pruned.envelopes = pruneEnvelopes.run(lastDroppedDay).changes
        rawOutcomes.prune(lastDroppedDay)
        pruned.origins = pruneOrigins.run((lastDroppedDay + 1) * DAY_MS).changes
      }
      return { pruningDay, today, heldBackDays: Math.max(0, today - pruningDay), pruned }
    }
  }
}
