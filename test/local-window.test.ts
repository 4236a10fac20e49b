import Database from 'better-sqlite3'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucketOf, encodeHist } from '../src/core/histogram.js'
import { DAY_MS, dayOf } from '../src/core/time.js'
import { databasePath, ensureDataDir } from '../src/store/data-dir.js'
import { migrate } from '../src/store/migrations.js'
import { openTracker } from '../src/tracker.js'
import { tempDir } from './helpers/tmp.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')

// This node's window totals live in memory (src/store/local-window.ts): these tests pin down
// when they must be reloaded from the day counters, and that nothing uncommitted reaches them.
describe("this node's window totals", () => {
  it('follow the clock: an outcome leaves the window when its day does, in local and hive scope', () => {
    let now = NOW
    const t = openTracker({ dataDir: tempDir(), now: () => now, windowDays: 30 })
    t.record({ task_type: 'a', tool: 'x', success: true })
    t.record({ task_type: 'a', tool: 'x', success: false, at: new Date(NOW - 29 * DAY_MS).toISOString() })
    expect(t.best('a', { scope: 'local', minSamples: 1 }).ranking[0]).toMatchObject({ n: 2, pass: 1 })
    now += DAY_MS // the day-29 outcome is now 30 days old: outside the window
    expect(t.best('a', { scope: 'local', minSamples: 1 }).ranking[0]).toMatchObject({ n: 1, pass: 1 })
    t.record({ task_type: 'a', tool: 'x', success: true })
    expect(t.best('a', { scope: 'hive', minSamples: 1 }).ranking[0]).toMatchObject({ n: 2, pass: 2 })
    now += 30 * DAY_MS
    expect(t.best('a', { scope: 'hive', minSamples: 1 }).ranking).toEqual([])
    t.close()
  })

  it('never include a write rolled back by an enclosing transaction', () => {
    const t = openTracker({ dataDir: tempDir(), now: () => NOW })
    t.record({ task_type: 'a', tool: 'x', success: true })
    expect(t.best('a', { minSamples: 1 }).best?.n).toBe(1)
    expect(() => {
      t.store.db.transaction(() => {
        t.record({ task_type: 'a', tool: 'x', success: true })
        expect(t.best('a', { minSamples: 1 }).best?.n).toBe(2) // read inside the transaction: its own write
        throw new Error('abort')
      })()
    }).toThrow('abort')
    expect(t.best('a', { minSamples: 1 }).best?.n).toBe(1)
    expect(t.store.localCounters()).toEqual(t.store.recomputeLocalCounters())
    t.close()
  })

  it('see commits of another connection on the same database (the CLI beside the daemon)', () => {
    const dir = tempDir()
    const daemon = openTracker({ dataDir: dir, now: () => NOW })
    const cli = openTracker({ dataDir: dir, now: () => NOW })
    daemon.record({ task_type: 'a', tool: 'x', success: true })
    expect(cli.best('a', { minSamples: 1 }).best?.n).toBe(1)
    cli.record({ task_type: 'a', tool: 'y', success: true })
    daemon.record({ task_type: 'a', tool: 'x', success: true })
    for (const t of [daemon, cli]) {
      expect(t.best('a', { minSamples: 1 }).ranking.map(r => [r.tool, r.n])).toEqual([['x', 2], ['y', 1]])
    }
    daemon.close()
    cli.close()
  })

  it('migration 4 drops the rollup rows of this node, whose totals are then read from its day counters (indexed by day and origin)', () => {
    const dir = ensureDataDir(tempDir())
    const old = new Database(databasePath(dir))
    migrate(old, 3)
    const hist = encodeHist(new Map([[bucketOf(12), 3]]))
    const counter = old.prepare(`INSERT INTO counters (task_type, origin, tool, model, day, n, c_pass, c_grader_fail, n_duration, sum_duration_ms, hist)
      VALUES ('a', 0, 'x', '', ?, 3, 2, 1, 3, 36000, ?)`)
    counter.run(dayOf(NOW), hist)
    counter.run(dayOf(NOW) - 1, hist)
    // a stale rollup row: migration 4 must not let it count
    old.prepare("INSERT INTO arm_window (task_type, origin, tool, model, n, c_pass) VALUES ('a', 0, 'x', '', 99, 99)").run()
    old.prepare("INSERT INTO meta (key, value) VALUES ('window_start_day', ?)").run(dayOf(NOW) - 29)
    old.close()

    const t = openTracker({ dataDir: dir, now: () => NOW })
    expect(t.store.db.prepare('SELECT COUNT(*) FROM arm_window WHERE origin = 0').pluck().get()).toBe(0)
    // the day index gains the origin, so the window loads this node's rows alone
    expect(t.store.db.prepare("SELECT name FROM pragma_index_info('counters_day') ORDER BY seqno").pluck().all()).toEqual(['day', 'origin'])
    const best = t.best('a', { minSamples: 1 }).best
    expect(best).toMatchObject({ tool: 'x', n: 6, pass: 4, outcomes: { pass: 4, grader_fail: 2 } })
    expect(best?.p50_s).toBeCloseTo(12, -0.5)
    t.close()
  })

  it('load task types on first use: any interleaving of commits (own and another connection\'s) and queries answers as a fresh reader does', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('record' as const), writer: fc.constantFrom(0, 1), taskType: fc.constantFrom('a', 'b', 'c'), tool: fc.constantFrom('x', 'y'), pass: fc.boolean(), duration: fc.double({ min: 0.1, max: 100, noNaN: true }) }),
      fc.record({ kind: fc.constant('best' as const), taskType: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ kind: fc.constant('stats' as const) })
    )
    fc.assert(fc.property(fc.array(step, { maxLength: 25 }), steps => {
      const dir = tempDir()
      const [t, other] = [openTracker({ dataDir: dir, now: () => NOW }), openTracker({ dataDir: dir, now: () => NOW })]
      try {
        for (const s of steps) {
          if (s.kind === 'record') [t, other][s.writer].record({ task_type: s.taskType, tool: s.tool, success: s.pass, duration_s: s.duration })
          else if (s.kind === 'best') t.best(s.taskType, { scope: 'local', minSamples: 1 })
          else t.stats({ scope: 'local', minSamples: 1 })
        }
        // t answers first: opening another connection may write, which would make t reload everything
        const answers = (x: typeof t): unknown[] => [...['a', 'b', 'c'].map(tt => x.best(tt, { scope: 'local', minSamples: 1 })), x.stats({ scope: 'local', minSamples: 1 })]
        const seen = answers(t)
        const fresh = openTracker({ dataDir: dir, now: () => NOW })
        try {
          expect(seen).toEqual(answers(fresh))
        } finally {
          fresh.close()
        }
      } finally {
        t.close()
        other.close()
      }
    }), { numRuns: 40, examples: [[[{ kind: 'record', writer: 0, taskType: 'a', tool: 'x', pass: true, duration: 3 }, { kind: 'best', taskType: 'b' }, { kind: 'record', writer: 0, taskType: 'a', tool: 'x', pass: true, duration: 3 }]]] })
  })
})
