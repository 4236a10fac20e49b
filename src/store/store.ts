import { addOutcome } from '../core/counters.js'
import { DEFAULT_RETENTION_DAYS, DEFAULT_WINDOW_DAYS } from '../core/limits.js'
import { dayOf } from '../core/time.js'
import { counterEntry, type CounterEntry, type Outcome } from '../core/types.js'
import { createArmBreakdown, type ArmBreakdown } from './arm-breakdown.js'
import { createArmQueries, type ArmAggregate, type Scope } from './arm-queries.js'
import { countersFromRow, type CounterRow } from './counter-columns.js'
import { createCountersVersion } from './counters-version.js'
import { ensureDataDir, databasePath } from './data-dir.js'
import { openDatabase, openDatabaseReadOnly, writeTransaction, type Db } from './db.js'
import { createLocalWindow } from './local-window.js'
import { createLocalWriter, type WriteResult } from './local-writer.js'
import { LOCAL_ORIGIN, META } from './schema.js'
import { createRawOutcomeLog } from './raw-outcomes.js'
import { createArmRollup } from './rollup.js'
import { createRetention, type RetentionReport } from './retention.js'
import { createExchange, type Exchange } from './exchange.js'

export interface StoreOptions {
  dataDir: string
  retentionDays?: number
  /** the window the rollup keeps ready (other windows are summed from day counters) */
  windowDays?: number
  /** clock for the window roll at open, for tests */
  now?: () => number
  /** monotonic clock (ms) that bounds how fast retention pruning may advance; default performance.now (tests move it with `now`) */
  monotonicNow?: () => number
  /** run an integrity check before anything else (the daemon does) */
  verify?: boolean
  /**
   * open for reading only (queries: best, stats, route, peers): never takes the write lock and
   * skips the maintenance at open. Falls back to a writable open when there is no database yet
   * or its schema needs migrating. Writing through a read-only store throws.
   */
  readonly?: boolean
}

export interface ArmsRequest {
  scope: Scope
  taskType: string | null
  windowDays: number
  model?: string
  /** hive scope: origins (store numbers) the ranking leaves out */
  exclude?: ReadonlySet<number>
  nowMs: number
}

export interface Store {
  readonly db: Db
  readonly dataDir: string
  readonly retentionDays: number
  recordOutcomes: (outcomes: Outcome[], nowMs: number) => WriteResult
  arms: (request: ArmsRequest) => ArmAggregate[]
  /** one task type's counters by origin or by day (dashboards, `stats --by-origin`) */
  breakdown: ArmBreakdown
  /** this node's day counters (origin 0), from the counters table */
  localCounters: () => CounterEntry[]
  /** the same, recomputed from raw outcomes: equal to localCounters() unless something is broken */
  recomputeLocalCounters: () => CounterEntry[]
  /** the raw outcomes stored, oldest first */
  rawOutcomes: () => Iterable<Outcome>
  /** signed envelopes: export, merge, origins (protocol/README.md, "Merge semantics" and "Sync") */
  exchange: Exchange
  /**
   * Changes whenever the database may have changed: a commit by this connection (SQLite's
   * total_changes) or by any other one (PRAGMA data_version). Query caches key on it.
   */
  changeStamp: () => string
  /**
   * Moves only when counters or baselines changed (counters-version.ts), not on an export or a
   * sync round: what the dashboard polls before it refetches anything.
   */
  countersStamp: () => string
  /**
   * The explicit maintenance step (the daemon runs it at start and hourly): retention pruning
   * against a pruning day that follows the clock only as fast as real time passes
   * (retention.ts), then the window roll. Nothing else prunes.
   */
  maintain: (nowMs: number) => RetentionReport
  close: () => void
}

export function openStore (options: StoreOptions): Store {
  const dataDir = ensureDataDir(options.dataDir)
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS
  const windowDays = Math.min(options.windowDays ?? DEFAULT_WINDOW_DAYS, retentionDays)
  const readonly = options.readonly === true ? openDatabaseReadOnly(databasePath(dataDir)) : null
  const db = readonly ?? openDatabase(databasePath(dataDir), { verify: options.verify })

  const now = options.now ?? Date.now
  const rawOutcomes = createRawOutcomeLog(db)
  const rollup = createArmRollup(db, windowDays)
  // protocol/README.md, "Merge semantics": day buckets older than the retention window are dropped, by the same rule on every node.
  const retention = createRetention(db, rawOutcomes, { retentionDays, windowDays, openedAtMs: now(), monotonicMs: options.monotonicNow })
  const rollWindow = writeTransaction(db, (nowMs: number) => { rollup.startDay(nowMs) })
  // a read-only open writes nothing: no retention bookkeeping, no window roll
  if (readonly === null) writeTransaction(db, retention.init)(now())
  const maintain = writeTransaction(db, (nowMs: number): RetentionReport => {
    const report = retention.run(nowMs)
    rollup.startDay(nowMs)
    return report
  })
  const readWindowStart = db.prepare<[], { value: number }>(`SELECT value FROM meta WHERE key = '${META.windowStartDay}'`)
  const localWindow = createLocalWindow(db)
  const queryArms = createArmQueries(db, localWindow)
  const writeOutcomes = createLocalWriter(db, rollup, rawOutcomes)
  const recordOutcomes = (outcomes: Outcome[], nowMs: number): WriteResult => {
    const result = writeOutcomes(outcomes, nowMs)
    localWindow.addCommitted(result.changes, result.windowStart)
    return result
  }
  const localRows = db.prepare<[], CounterRow & { task_type: string, tool: string, model: string, day: number }>(
    `SELECT * FROM counters WHERE origin = ${LOCAL_ORIGIN}`)
  const stamp = db.prepare<[], unknown[]>('SELECT total_changes(), (SELECT data_version FROM pragma_data_version())').raw(true)
  const countersVersion = createCountersVersion(db)

  if (readonly === null) rollWindow(now())

  return {
    db,
    dataDir,
    retentionDays,
    recordOutcomes,
    arms (request) {
      const startDay = dayOf(request.nowMs) - request.windowDays + 1
      let rollupCurrent = request.windowDays === windowDays
      if (rollupCurrent && readWindowStart.get()?.value !== startDay) {
        // the day moved since the last writer: roll the window, or (read-only) sum the day counters instead
        if (readonly === null) rollWindow(request.nowMs)
        else rollupCurrent = false
      }
      return queryArms({ ...request, startDay, rollupCurrent })
    },
    breakdown: createArmBreakdown(db),
    localCounters: () => localRows.all().map(row =>
      counterEntry({ taskType: row.task_type, tool: row.tool, model: row.model, day: row.day }, countersFromRow(row))
    ).sort(compareKeys),
    recomputeLocalCounters () {
      const byKey = new Map<string, CounterEntry>()
      for (const o of rawOutcomes.all()) addOutcome(byKey, o)
      return [...byKey.values()].sort(compareKeys)
    },
    rawOutcomes: rawOutcomes.all,
    exchange: createExchange(db, rollup, rawOutcomes, retentionDays),
    changeStamp: () => (stamp.get() as unknown[]).join(':'),
    countersStamp: () => String(countersVersion.read()),
    maintain,
    close () {
      if (db.open) db.close()
    }
  }
}

function compareKeys (a: CounterEntry, b: CounterEntry): number {
  for (const f of ['taskType', 'tool', 'model'] as const) {
    if (a[f] !== b[f]) return a[f] < b[f] ? -1 : 1
  }
  return a.day - b.day
}
