import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { DAY_MS, dayOf } from '../src/core/time.js'
import { databasePath, ensureDataDir } from '../src/store/data-dir.js'
import { migrate } from '../src/store/migrations.js'
import { openTracker } from '../src/tracker.js'
import { tempDir } from './helpers/tmp.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')

describe('raw outcomes', () => {
  it('migration 3 moves v1 outcome rows into batches, keeping every field and idempotency key', () => {
    const dir = ensureDataDir(tempDir())
    const old = new Database(databasePath(dir))
    migrate(old, 2)
    const insert = old.prepare(`INSERT INTO outcomes (client_id, task_type, tool, model, outcome, duration_s, cost_usd, offloaded, user_id, at_ms, day)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    const rows = Array.from({ length: 25_000 }, (_, i) => {
      const atMs = NOW - (i % 3) * DAY_MS - i
      return [i % 2 === 0 ? `id-${i}` : null, `t${i % 7}`, 'bash', i % 5 === 0 ? '' : 'm', i % 4 === 0 ? 'timeout' : 'pass',
        i % 3 === 0 ? null : 1 + i / 1000, i % 6 === 0 ? null : 0.01, i % 9 === 0 ? 1 : 0, i % 11 === 0 ? 'alice' : null, atMs, dayOf(atMs)] as const
    })
    old.transaction(() => { for (const r of rows) insert.run(...r) })()
    old.close()

    const t = openTracker({ dataDir: dir, now: () => NOW })
    const migrated = [...t.store.rawOutcomes()]
    const key = (o: { id: string | null, atMs: number }): string => `${o.id}|${o.atMs}`
    expect(new Set(migrated.map(key))).toEqual(new Set(rows.map(r => key({ id: r[0], atMs: r[9] }))))
    const byAt = new Map(migrated.map(o => [o.atMs, o]))
    for (const r of rows) {
      expect(byAt.get(r[9])).toEqual({
        id: r[0], taskType: r[1], tool: r[2], model: r[3], outcome: r[4], durationS: r[5], costUsd: r[6],
        offloaded: r[7] === 1, userId: r[8], atMs: r[9]
      })
    }
    expect(t.store.db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'outcomes'").pluck().get()).toBe(0)
    expect(t.record({ task_type: 't0', tool: 'bash', success: true, id: 'id-0' })).toEqual({ recorded: 0, duplicates: 1 })
    t.close()
  })

  it('are dropped per day with retention, also out of a batch spanning the boundary, idempotency keys too', () => {
    const dir = tempDir()
    const at = (daysAgo: number): string => new Date(NOW - daysAgo * DAY_MS).toISOString()
    const t = openTracker({ dataDir: dir, now: () => NOW, retentionDays: 10 })
    t.recordBatch([{ task_type: 'a', tool: 'x', success: true, at: at(9), id: 'old' }])
    t.recordBatch([{ task_type: 'a', tool: 'x', success: true, at: at(9), id: 'mixed-old' }, { task_type: 'a', tool: 'x', success: true, at: at(1), id: 'mixed-new' }])
    t.close()

    // three days later day -9 has left the 10-day retention window (the daemon's maintenance
    // prunes; a process that has seen three real days pass may prune three days)
    const later = openTracker({ dataDir: dir, now: () => NOW + 3 * DAY_MS, monotonicNow: () => 3 * DAY_MS, retentionDays: 10 })
    later.store.maintain(NOW + 3 * DAY_MS)
    expect([...later.store.rawOutcomes()].map(o => o.id)).toEqual(['mixed-new'])
    expect(later.store.db.prepare('SELECT client_id FROM outcome_ids ORDER BY client_id').pluck().all()).toEqual(['mixed-new'])
    expect(later.store.localCounters().map(e => e.day)).toEqual([dayOf(NOW - DAY_MS)])
    expect(later.store.localCounters()).toEqual(later.store.recomputeLocalCounters())
    later.close()
  })
})
