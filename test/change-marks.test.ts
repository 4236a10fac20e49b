import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { DAY_MS, dayOf } from '../src/core/time.js'
import { databasePath, ensureDataDir } from '../src/store/data-dir.js'
import { migrate } from '../src/store/migrations.js'
import { openTracker } from '../src/tracker.js'
import { fileNode, type TestNode } from './helpers/nodes.js'
import { tempDir } from './helpers/tmp.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

const keysOf = (n: TestNode): string[] => n.tracker.store.exchange.pendingKeys().map(k => `${k.taskType}/${k.tool}/${k.day}`).sort()

// The change marks are the keys stored with each raw batch (src/store/raw-outcomes.ts): the next
// delta carries the counters of every key recorded after the last export.
describe('change marks', () => {
  it('a delta carries exactly the keys recorded since the last export', async () => {
    const n = await fileNode({ now: () => NOW })
    open.push(n)
    n.tracker.recordBatch([{ task_type: 'a', tool: 'x', success: true }, { task_type: 'a', tool: 'y', success: false }])
    n.tracker.record({ task_type: 'b', tool: 'x', success: true, at: new Date(NOW - 2 * DAY_MS).toISOString() })
    expect(keysOf(n)).toEqual([`a/x/${dayOf(NOW)}`, `a/y/${dayOf(NOW)}`, `b/x/${dayOf(NOW) - 2}`])
    expect(n.sharing.export('delta')?.entries).toBe(3)
    expect(keysOf(n)).toEqual([])
    expect(n.sharing.export('delta')).toBeNull()
    n.tracker.record({ task_type: 'a', tool: 'y', success: true })
    n.tracker.record({ task_type: 'a', tool: 'y', success: true, id: 'k' })
    n.tracker.record({ task_type: 'a', tool: 'y', success: true, id: 'k' }) // a duplicate marks nothing new
    expect(keysOf(n)).toEqual([`a/y/${dayOf(NOW)}`])
    expect(n.sharing.export('delta')?.entries).toBe(1)
    expect(keysOf(n)).toEqual([])
    // a snapshot carries everything, so it clears the marks too
    n.tracker.record({ task_type: 'c', tool: 'z', success: true })
    expect(n.sharing.export('snapshot')?.entries).toBe(4)
    expect(n.sharing.export('delta')).toBeNull()
  })

  it('outlive retention pruning that empties the raw log: the next outcome is still exported', async () => {
    let now = NOW
    // the monotonic clock moves with the wall clock: 200 days really pass (store/retention.ts)
    const n = await fileNode({ now: () => now, monotonicNow: () => now })
    open.push(n)
    n.tracker.record({ task_type: 'a', tool: 'x', success: true })
    n.tracker.record({ task_type: 'a', tool: 'x', success: true })
    expect(n.sharing.export('delta')?.entries).toBe(1)
    now += 200 * DAY_MS // every batch is past retention now
    n.tracker.store.maintain(now)
    expect(n.tracker.store.db.prepare('SELECT COUNT(*) FROM outcome_batches').pluck().get()).toBe(0)
    n.tracker.record({ task_type: 'b', tool: 'x', success: true })
    expect(keysOf(n)).toEqual([`b/x/${dayOf(now)}`])
    expect(n.sharing.export('delta')?.entries).toBe(1)
  })

  it('migration 5 keeps the marks pending at upgrade time', () => {
    const dir = ensureDataDir(tempDir())
    const old = new Database(databasePath(dir))
    migrate(old, 4)
    old.prepare("INSERT INTO counters (task_type, origin, tool, model, day, n, c_pass) VALUES ('a', 0, 'x', '', ?, 1, 1)").run(dayOf(NOW))
    old.prepare("INSERT INTO counters (task_type, origin, tool, model, day, n, c_pass) VALUES ('a', 0, 'y', '', ?, 1, 1)").run(dayOf(NOW))
    old.prepare("INSERT INTO changed_keys (task_type, tool, model, day) VALUES ('a', 'y', '', ?)").run(dayOf(NOW))
    old.close()

    const t = openTracker({ dataDir: dir, now: () => NOW })
    expect(t.store.exchange.pendingKeys()).toEqual([{ taskType: 'a', tool: 'y', model: '', day: dayOf(NOW) }])
    expect(t.store.db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'changed_keys'").pluck().get()).toBe(0)
    expect([...t.store.rawOutcomes()]).toEqual([]) // the marks' batch holds no outcome
    t.record({ task_type: 'a', tool: 'x', success: true })
    expect(t.store.exchange.pendingKeys().map(k => k.tool).sort()).toEqual(['x', 'y'])
    t.close()
  })
})
