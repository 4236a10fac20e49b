import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DAY_MS } from '../src/core/time.js'
import { databasePath } from '../src/store/index.js'
import { openTracker } from '../src/tracker.js'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')

function seeded (dataDir: string, nowMs = NOW): void {
  const t = openTracker({ dataDir, now: () => nowMs })
  t.recordBatch(Array.from({ length: 30 }, (_, i) => ({ task_type: 'bug_fix', tool: i % 3 === 0 ? 'aider' : 'ruff', success: i % 4 !== 0, at: new Date(nowMs - (i % 5) * DAY_MS).toISOString() })))
  t.close()
}

describe('read-only queries', () => {
  it('answer while another connection holds the write lock (a writable open would wait for it)', () => {
    const dataDir = tempDir()
    seeded(dataDir, Date.now())
    const writer = new Database(databasePath(dataDir))
    writer.pragma('busy_timeout = 0')
    writer.exec('BEGIN IMMEDIATE')
    try {
      const t0 = Date.now()
      const best = runCli(['best', 'bug_fix', '--data-dir', dataDir, '--json', '--min-samples', '1'])
      expect(best.stderr).toBe('')
      expect(JSON.parse(best.stdout).ranking).toHaveLength(2)
      const stats = runCli(['stats', '--data-dir', dataDir, '--json'])
      expect(stats.code).toBe(0)
      // well under the 5 s busy timeout a write transaction would wait before failing
      expect(Date.now() - t0).toBeLessThan(4000)
      // the writable path does wait for the lock, and gives up
      expect(() => openTracker({ dataDir }).record({ task_type: 'bug_fix', tool: 'aider', success: true })).toThrow(/locked|busy/i)
    } finally {
      writer.exec('ROLLBACK')
      writer.close()
    }
  }, 30_000)

  it('gives the answers of a writable open, also on a later day the rollup has not caught up with', () => {
    const dataDir = tempDir()
    seeded(dataDir)
    for (const later of [NOW, NOW + 2 * DAY_MS]) {
      const writable = openTracker({ dataDir, now: () => later })
      const expected = writable.best('bug_fix', { minSamples: 1 })
      writable.close()
      // the writable open rolled the window; put the rollup back a day to read it stale
      if (later !== NOW) {
        const db = new Database(databasePath(dataDir))
        db.prepare("UPDATE meta SET value = value - 1 WHERE key = 'window_start_day'").run()
        db.close()
      }
      const reader = openTracker({ dataDir, now: () => later, readonly: true })
      expect(reader.best('bug_fix', { minSamples: 1 })).toEqual(expected)
      reader.close()
    }
  })

  it('refuses to write, and falls back to a writable open on a fresh data dir', () => {
    const dataDir = tempDir()
    const fresh = openTracker({ dataDir, readonly: true })
    expect(existsSync(databasePath(dataDir))).toBe(true)
    fresh.close()
    seeded(dataDir)
    const reader = openTracker({ dataDir, readonly: true, now: () => NOW })
    expect(() => reader.record({ task_type: 'bug_fix', tool: 'aider', success: true })).toThrow(/readonly/i)
    reader.close()
  })
})
