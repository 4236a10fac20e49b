import { validateOutcome } from './core/outcome.js'
import { DEFAULT_MIN_SAMPLES, DEFAULT_ORIGIN_CAP, DEFAULT_WINDOW_DAYS } from './core/limits.js'
import { quantiles } from './core/histogram.js'
import { originWeight, rankArms, type RankedArm, type Ranking } from './core/ranking.js'
import { dayOf, isoDay, windowStartDay } from './core/time.js'
import type { Outcome } from './core/types.js'
import { ValidationError } from './errors.js'
import { createGateOperations, type GateOperations } from './gate/service.js'
import { openStore, resolveDataDir, type RecordResult, type Scope, type Store } from './store/index.js'

export interface TrackerOptions {
  /** default: $HIVEBENCH_DATA_DIR or ~/.hivebench */
  dataDir?: string
  retentionDays?: number
  windowDays?: number
  minSamples?: number
  originCap?: number
  /** clock, for tests */
  now?: () => number
  /** monotonic clock bounding retention pruning (see store/retention.ts); tests move it with `now` */
  monotonicNow?: () => number
  /** check the database's integrity at open (the daemon does; see store/db.ts) */
  verify?: boolean
  /** queries only: opens without ever taking the write lock (see StoreOptions.readonly); recording then throws */
  readonly?: boolean
}

export interface QueryOptions {
  scope?: Scope
  model?: string
  windowDays?: number
  minSamples?: number
}

export interface BatchOptions {
  /** each input's line in a file: errors then name the line instead of the row */
  lines?: number[]
  /** called every few thousand rows while validating, and once at the end */
  onProgress?: (done: number, total: number) => void
}

const PROGRESS_EVERY = 1000

const totals = (r: RecordResult): RecordResult => ({ recorded: r.recorded, duplicates: r.duplicates })
const MAX_CACHED_QUERIES = 1000

/**
 * Cached answers are shared: freezing them makes an accidental mutation throw instead of
 * corrupting the cache. Plain loops over the known shape: a generic deep freeze walking
 * Object.values() allocated a third of an uncached best() call.
 */
function freezeRanking (r: Ranking): Ranking {
  for (const arm of r.ranking) {
    Object.freeze(arm.outcomes)
    Object.freeze(arm)
  }
  Object.freeze(r.ranking)
  return Object.freeze(r)
}

export interface BestResult {
  task_type: string
  scope: Scope
  window_days: number
  min_samples: number
  best: RankedArm | null
  ranking: RankedArm[]
}

export interface StatsResult {
  scope: Scope
  window_days: number
  task_types: Array<{ task_type: string, ranking: RankedArm[] }>
}

/** GET /v1/arms?by=origin: each arm's samples per origin and the weight the ranking gave them. */
export interface OriginBreakdownResult {
  task_type: string
  scope: Scope
  window_days: number
  origin_cap: number
  /** in ranking order */
  arms: Array<{
    tool: string
    model: string
    n: number
    pass: number
    weighted_n: number
    origins: Array<{
      /** the origin's peer id (null: this node without an identity yet) */
      origin: string | null
      self: boolean
      n: number
      pass: number
      pass_rate: number
      /** samples and passes the ranking counted after the per-origin cap */
      weighted_n: number
      weighted_pass: number
      capped: boolean
    }>
  }>
}

/** GET /v1/arms?by=day: each arm's pass rate and latency per UTC day. */
export interface DailyArmsResult {
  task_type: string
  scope: Scope
  window_days: number
  /** in ranking order */
  arms: Array<{ tool: string, model: string, days: Array<{ day: string, n: number, pass: number, pass_rate: number, p50_s: number | null, p90_s: number | null }> }>
}

/**
 * The embedded API: what `hivebench` does, without the daemon. Recording validates every
 * field (README.md, "Recording outcomes"); queries rank arms (README.md, "How the ranking works")
 * and return the JSON shape of "Asking which tool is best"; baselines, the upgrade gate, trends
 * and drift come from gate/service.ts.
 */
export interface Tracker extends GateOperations {
  readonly store: Store
  record: (input: unknown) => RecordResult
  /**
   * Records one outcome in a group commit: outcomes given in the same turn of the event loop
   * share one transaction (each caller still learns whether its own outcome was new). Resolves
   * once committed; a bad outcome throws at once, without affecting the others. Servers use it
   * so that many concurrent single-outcome requests cost one transaction.
   */
  recordSoon: (input: unknown) => Promise<RecordResult>
  /**
   * All-or-nothing: one bad row stores nothing and the error names its 1-based row (or, when
   * `lines` gives each input's line in a file, its line).
   */
  recordBatch: (inputs: unknown[], options?: BatchOptions) => RecordResult
  best: (taskType: string, options?: QueryOptions) => BestResult
  stats: (options?: QueryOptions & { taskType?: string }) => StatsResult
  armsByOrigin: (taskType: string, options?: QueryOptions) => OriginBreakdownResult
  armsByDay: (taskType: string, options?: QueryOptions) => DailyArmsResult
  close: () => void
}

export function openTracker (options: TrackerOptions = {}): Tracker {
  const now = options.now ?? Date.now
  const store = openStore({ dataDir: resolveDataDir(options.dataDir), retentionDays: options.retentionDays, windowDays: options.windowDays, now, monotonicNow: options.monotonicNow, verify: options.verify, readonly: options.readonly })
  const defaultWindow = options.windowDays ?? DEFAULT_WINDOW_DAYS
  const defaultMinSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES
  const originCap = options.originCap ?? DEFAULT_ORIGIN_CAP

  const validateAll = (inputs: unknown[], nowMs: number, options: BatchOptions = {}): Outcome[] => inputs.map((input, i) => {
    if (options.onProgress !== undefined && i % PROGRESS_EVERY === 0) options.onProgress(i, inputs.length)
    try {
      return validateOutcome(input, { nowMs, retentionDays: store.retentionDays })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      throw options.lines === undefined ? err.at('row', i + 1) : err.at('line', options.lines[i])
    }
  })

  /** The query options with defaults applied, each checked once. */
  interface ResolvedQuery { scope: Scope, windowDays: number, minSamples: number, model?: string }
  const resolveQuery = (q: QueryOptions): ResolvedQuery => {
    // `hive` includes this node; with no peers it equals `local` (README.md, "How the ranking works").
    const scope = q.scope ?? 'hive'
    if (scope !== 'local' && scope !== 'hive') throw new ValidationError('scope', 'enum', 'must be local or hive')
    const windowDays = q.windowDays ?? defaultWindow
    if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > store.retentionDays) {
      throw new ValidationError('window_days', 'range', `must be an integer from 1 to ${store.retentionDays} (the retention window)`)
    }
    const minSamples = q.minSamples ?? defaultMinSamples
    if (!Number.isInteger(minSamples) || minSamples < 1) throw new ValidationError('min_samples', 'range', 'must be an integer >= 1')
    return { scope, windowDays, minSamples, model: q.model }
  }

  let pending: Array<{ outcome: Outcome, resolve: (r: RecordResult) => void, reject: (err: unknown) => void }> = []
  const commitPending = (): void => {
    const group = pending
    pending = []
    try {
      const { inserted } = store.recordOutcomes(group.map(p => p.outcome), now())
      group.forEach((p, i) => { p.resolve(inserted[i] ? { recorded: 1, duplicates: 0 } : { recorded: 0, duplicates: 1 }) })
    } catch (err) {
      for (const p of group) p.reject(err)
    }
  }

  // Rankings are cached until the database changes (any writer, any process) or the window
  // moves: agents and dashboards ask the same question far more often than data arrives.
  const cache = new Map<string, { stamp: string, value: Map<string, Ranking> }>()
  const rankTaskTypes = (taskType: string | null, q: ResolvedQuery): Map<string, Ranking> => {
    const nowMs = now()
    const key = JSON.stringify([taskType, q.scope, q.windowDays, q.minSamples, q.model ?? null, dayOf(nowMs)])
    const stamp = store.changeStamp()
    const hit = cache.get(key)
    if (hit !== undefined && hit.stamp === stamp) return hit.value
    const value = rankFresh(taskType, q, nowMs)
    // Inside an enclosing transaction the answer may rest on writes that roll back, which leave
    // the change stamp as it was: not cached.
    if (store.db.inTransaction) return value
    if (cache.size >= MAX_CACHED_QUERIES) cache.clear()
    cache.set(key, { stamp, value })
    return value
  }

  const rankFresh = (taskType: string | null, q: ResolvedQuery, nowMs: number): Map<string, Ranking> => {
    const arms = store.arms({ scope: q.scope, taskType, windowDays: q.windowDays, model: q.model, originCap, nowMs })
    const byTaskType = new Map<string, typeof arms>()
    for (const arm of arms) {
      const list = byTaskType.get(arm.taskType) ?? []
      list.push(arm)
      byTaskType.set(arm.taskType, list)
    }
    const out = new Map<string, Ranking>()
    for (const t of [...byTaskType.keys()].sort()) out.set(t, freezeRanking(rankArms(byTaskType.get(t) ?? [], { minSamples: q.minSamples, originCap })))
    return out
  }

  const tracker: Tracker = {
    store,
    ...createGateOperations({ store, originCap, now }),
    record (input) {
      const nowMs = now()
      return totals(store.recordOutcomes([validateOutcome(input, { nowMs, retentionDays: store.retentionDays })], nowMs))
    },
    recordSoon (input) {
      const outcome = validateOutcome(input, { nowMs: now(), retentionDays: store.retentionDays })
      return new Promise((resolve, reject) => {
        if (pending.push({ outcome, resolve, reject }) === 1) setImmediate(commitPending)
      })
    },
    recordBatch (inputs, options = {}) {
      const nowMs = now()
      const outcomes = validateAll(inputs, nowMs, options)
      const result = totals(store.recordOutcomes(outcomes, nowMs))
      options.onProgress?.(inputs.length, inputs.length)
      return result
    },
    best (taskType, q = {}) {
      const trimmed = typeof taskType === 'string' ? taskType.trim() : ''
      if (trimmed === '') throw new ValidationError('task_type', 'required', 'required, must not be empty')
      const r = resolveQuery(q)
      const ranked = rankTaskTypes(trimmed, r).get(trimmed) ?? { best: null, ranking: [] }
      return { task_type: trimmed, scope: r.scope, window_days: r.windowDays, min_samples: r.minSamples, ...ranked }
    },
    stats (q = {}) {
      const r = resolveQuery(q)
      const ranked = rankTaskTypes(q.taskType?.trim() ?? null, r)
      return {
        scope: r.scope,
        window_days: r.windowDays,
        task_types: [...ranked].map(([taskType, r]) => ({ task_type: taskType, ranking: r.ranking }))
      }
    },
    armsByOrigin (taskType, q = {}) {
      const { best, r, startDay, order } = breakdownOf(taskType, q)
      const shares = store.breakdown.byOrigin({ scope: r.scope, taskType: best.task_type, startDay, model: r.model })
      const arms = best.ranking.map(a => ({ tool: a.tool, model: a.model, n: a.n, pass: a.pass, weighted_n: a.weighted_n, origins: [] as OriginBreakdownResult['arms'][number]['origins'] }))
      for (const s of shares) {
        const i = order.get(armId(s))
        if (i === undefined) continue // not in the ranking: recorded since it was read
        const w = originWeight(s, best.ranking[i].origins, originCap)
        arms[i].origins.push({ origin: s.peerId, self: s.originId === 0, n: s.n, pass: s.pass, pass_rate: s.pass / s.n, weighted_n: w.n, weighted_pass: w.pass, capped: w.n < s.n })
      }
      for (const arm of arms) arm.origins.sort((a, b) => b.n - a.n)
      return { task_type: best.task_type, scope: r.scope, window_days: r.windowDays, origin_cap: originCap, arms }
    },
    armsByDay (taskType, q = {}) {
      const { best, r, startDay, order } = breakdownOf(taskType, q)
      const arms: DailyArmsResult['arms'] = best.ranking.map(a => ({ tool: a.tool, model: a.model, days: [] }))
      for (const p of store.breakdown.byDay({ scope: r.scope, taskType: best.task_type, startDay, model: r.model })) {
        const [p50, p90] = quantiles(p.hist, [0.5, 0.9])
        arms[order.get(armId(p)) ?? -1]?.days.push({ day: isoDay(p.day), n: p.n, pass: p.pass, pass_rate: p.pass / p.n, p50_s: p50, p90_s: p90 })
      }
      return { task_type: best.task_type, scope: r.scope, window_days: r.windowDays, arms }
    },
    close: () => { store.close() }
  }
  return tracker

  /** The ranking a breakdown follows (its order, its origin counts) and the window it covers. */
  function breakdownOf (taskType: string, q: QueryOptions): { best: BestResult, r: ResolvedQuery, startDay: number, order: Map<string, number> } {
    const r = resolveQuery(q)
    const best = tracker.best(taskType, q)
    return { best, r, startDay: windowStartDay(now(), r.windowDays), order: new Map(best.ranking.map((a, i) => [armId(a), i])) }
  }
}

const armId = (a: { tool: string, model: string }): string => `${a.tool}\0${a.model}`
