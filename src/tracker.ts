import { closestNames } from './core/closest.js'
import { validateOutcome } from './core/outcome.js'
import { DEFAULT_ANSWER_ARMS, DEFAULT_MIN_SAMPLES, DEFAULT_WINDOW_DAYS, SENIORITY_GRACE_MS } from './core/limits.js'
import { quantiles } from './core/histogram.js'
import { randomFor } from './core/random.js'
import { DEFAULT_RANK_POLICY, rankArms, weightsByOrigin, toRankedArm, type RankedArm, type Ranking, type RankPolicy } from './core/ranking.js'
import { routeResult } from './core/route.js'
import { DAY_MS, dayOf, isoDay, windowStartDay } from './core/time.js'
import { emptyScalars, type Outcome, type RecordResult, type Scope } from './core/types.js'
import { ValidationError } from './errors.js'
import { createGateOperations } from './gate/service.js'
import { openStore, originJson, resolveDataDir, type Store } from './store/index.js'
import type { BatchOptions, BestResult, DailyArmsResult, OriginBreakdownResult, QueryOptions, RouteOptions, Tracker, TrackerOptions } from './tracker-api.js'

export type { BatchOptions, BestResult, DailyArmsResult, OriginBreakdownResult, QueryOptions, RouteOptions, StatsResult, Tracker, TrackerOptions } from './tracker-api.js'
export type { OriginJson, RecordResult } from './core/types.js'
export { resolveDataDir }

const PROGRESS_EVERY = 1000

const totals = (r: RecordResult): RecordResult => ({ recorded: r.recorded, duplicates: r.duplicates })
const MAX_CACHED_QUERIES = 1000
const NO_ORIGINS: ReadonlySet<number> = new Set()

/**
 * Cached answers are shared: freezing them makes an accidental mutation throw instead of
 * corrupting the cache. Plain loops over the known shape: a generic deep freeze walking
 * Object.values() allocated a third of an uncached best() call.
 */
/** The first `limit` arms of a (cached, frozen) ranking: the ranking itself when it is short enough, else a frozen copy. */
function topArms (ranking: RankedArm[], limit: number): RankedArm[] {
  return ranking.length <= limit ? ranking : Object.freeze(ranking.slice(0, limit)) as RankedArm[]
}

function freezeRanking (r: Ranking): Ranking {
  for (const arm of r.ranking) {
    Object.freeze(arm.outcomes)
    Object.freeze(arm)
  }
  Object.freeze(r.ranking)
  return Object.freeze(r)
}

/**
/**
 * The tracker with its store: what the node, the sharing layer and the input surfaces build on
 * (not published; the published API is src/tracker-api.ts). The surfaces hand it data nobody has
 * typed yet (HTTP bodies, file rows), so recording accepts `unknown` here; the validator checks
 * every field either way (README.md, "Recording outcomes"); queries rank arms (README.md, "How
 * the ranking works"); baselines, the upgrade gate, trends and drift come from gate/service.ts.
 */
export interface StoreTracker extends Tracker {
  readonly store: Store
  record: (input: unknown) => RecordResult
  recordSoon: (input: unknown) => Promise<RecordResult>
  recordBatch: (inputs: readonly unknown[], options?: BatchOptions) => RecordResult
}

export interface StoreTrackerOptions extends TrackerOptions {
  /** stored origins (store numbers) the hive ranking leaves out: the operator's origin policy (hive/origin-policy.ts) */
  excludeOrigins?: () => ReadonlySet<number>
}

export function openTracker (options: StoreTrackerOptions = {}): StoreTracker {
  const now = options.now ?? Date.now
  const store = openStore({ dataDir: resolveDataDir(options.dataDir), retentionDays: options.retentionDays, windowDays: options.windowDays, now, monotonicNow: options.monotonicNow, verify: options.verify, readonly: options.readonly })
  const defaultWindow = options.windowDays ?? DEFAULT_WINDOW_DAYS
  const defaultMinSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES
  const rankPolicy: RankPolicy = { ...DEFAULT_RANK_POLICY, ...options.rankPolicy }

  const validateAll = (inputs: readonly unknown[], nowMs: number, options: BatchOptions = {}): Outcome[] => inputs.map((input, i) => {
    if (options.onProgress !== undefined && i % PROGRESS_EVERY === 0) options.onProgress(i, inputs.length)
    try {
      return validateOutcome(input, { nowMs, retentionDays: store.retentionDays })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const line = options.lines?.[i]
      throw line === undefined ? err.at('row', i + 1) : err.at('line', line)
    }
  })

  /** The query options with defaults applied, each checked once. */
  interface ResolvedQuery { scope: Scope, windowDays: number, minSamples: number, limit: number, model?: string }
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
    const limit = q.limit ?? DEFAULT_ANSWER_ARMS
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('limit', 'range', 'must be an integer >= 1')
    return { scope, windowDays, minSamples, limit, model: q.model }
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
    const newOrigins = newOriginsAt(q.scope, nowMs)
    const key = JSON.stringify([taskType, q.scope, q.windowDays, q.minSamples, q.model ?? null, dayOf(nowMs), newOrigins.size])
    const stamp = store.changeStamp()
    const hit = cache.get(key)
    if (hit !== undefined && hit.stamp === stamp) return hit.value
    const value = rankFresh(taskType, q, nowMs, newOrigins)
    // Inside an enclosing transaction the answer may rest on writes that roll back, which leave
    // the change stamp as it was: not cached.
    if (store.db.inTransaction) return value
    if (cache.size >= MAX_CACHED_QUERIES) cache.clear()
    cache.set(key, { stamp, value })
    return value
  }

  // seniority (core/ranking.ts): the origins the hive ranking pools; a set only grows by a write
  // (which moves the change stamp) and shrinks as origins come of age, so its size keys the cache
  const newOriginsAt = (scope: Scope, nowMs: number): ReadonlySet<number> =>
    scope !== 'hive' || rankPolicy.seniorityDays <= 0 ? NO_ORIGINS : store.exchange.newOrigins(nowMs, rankPolicy.seniorityDays * DAY_MS, SENIORITY_GRACE_MS)

  const rankFresh = (taskType: string | null, q: ResolvedQuery, nowMs: number, newOrigins: ReadonlySet<number>): Map<string, Ranking> => {
    const arms = store.arms({ scope: q.scope, taskType, windowDays: q.windowDays, model: q.model, exclude: q.scope === 'hive' ? options.excludeOrigins?.() : undefined, nowMs })
    const byTaskType = new Map<string, typeof arms>()
    for (const arm of arms) {
      const list = byTaskType.get(arm.taskType) ?? []
      list.push(arm)
      byTaskType.set(arm.taskType, list)
    }
    const out = new Map<string, Ranking>()
    for (const t of [...byTaskType.keys()].sort()) out.set(t, freezeRanking(rankArms(byTaskType.get(t) ?? [], { ...rankPolicy, minSamples: q.minSamples, newOrigins })))
    return out
  }

  const best = (taskType: string, q: QueryOptions = {}): BestResult => {
    const trimmed = typeof taskType === 'string' ? taskType.trim() : ''
    if (trimmed === '') throw new ValidationError('task_type', 'required', 'required, must not be empty')
    const r = resolveQuery(q)
    const ranked = rankTaskTypes(trimmed, r).get(trimmed) ?? { best: null, ranking: [] }
    const known = ranked.ranking.length > 0
    const closest = known ? [] : closestNames(trimmed, rankTaskTypes(null, r).keys())
    return { task_type: trimmed, scope: r.scope, window_days: r.windowDays, min_samples: r.minSamples, best: ranked.best, ranking: topArms(ranked.ranking, r.limit), arms_total: ranked.ranking.length, known, closest }
  }

  /** The ranking narrowed to the candidate tools of `q.tools`, each present (n = 0 when unknown). */
  const candidates = (answer: BestResult, q: RouteOptions): BestResult => {
    if (q.tools === undefined) return answer
    const tools = new Set(q.tools.map(t => t.trim()))
    if (tools.size === 0 || tools.has('')) throw new ValidationError('tools', 'required', 'must name at least one tool, none empty')
    const ranking = answer.ranking.filter(a => tools.has(a.tool))
    for (const tool of tools) {
      if (ranking.some(a => a.tool === tool)) continue
      ranking.push(toRankedArm({ tool, model: q.model ?? '', totals: emptyScalars(), hist: null, origins: 0, perOrigin: [] }, { ...rankPolicy, minSamples: answer.min_samples }))
    }
    return { ...answer, ranking }
  }

  const tracker: StoreTracker = {
    store,
    dataDir: store.dataDir,
    retentionDays: store.retentionDays,
    ...createGateOperations({ store, now }),
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
    best,
    route: (taskType, q = {}) => {
      // the choice is made over every arm (a known-bad candidate below the answer's cut must not
      // pass for an untried one); only the ranking shown is cut to the limit
      const { limit } = resolveQuery(q)
      const routed = routeResult(candidates(best(taskType, { ...q, limit: Number.MAX_SAFE_INTEGER }), q), { exploreShare: q.exploreShare, random: randomFor(q.seed) })
      return { ...routed, ranking: routed.ranking.slice(0, limit) }
    },
    stats (q = {}) {
      const r = resolveQuery(q)
      const ranked = rankTaskTypes(q.taskType?.trim() ?? null, r)
      return {
        scope: r.scope,
        window_days: r.windowDays,
        task_types: [...ranked].map(([taskType, ranking]) => ({ task_type: taskType, ranking: topArms(ranking.ranking, r.limit), arms_total: ranking.ranking.length }))
      }
    },
    origins: () => store.exchange.origins().map(originJson),
    armsByOrigin (taskType, q = {}) {
      const { best, r, startDay, order } = breakdownOf(taskType, q)
      const shares = store.breakdown.byOrigin({ scope: r.scope, taskType: best.task_type, startDay, model: r.model })
      const arms = best.ranking.map(a => ({ tool: a.tool, model: a.model, n: a.n, pass: a.pass, weighted_n: a.weighted_n, origins: [] as OriginBreakdownResult['arms'][number]['origins'] }))
      const newOrigins = newOriginsAt(r.scope, now())
      const perArm = arms.map(arm => ({ arm, list: [] as typeof shares }))
      // an origin share of an arm not in the ranking was recorded since it was read: left out
      for (const s of shares) perArm[order.get(armId(s)) ?? -1]?.list.push(s)
      perArm.forEach(({ arm, list }) => {
        // the ranking's own weights (core/ranking.ts); local scope has one origin, never capped
        const weights = r.scope === 'hive' ? weightsByOrigin(list.map(s => ({ origin: s.originId, n: s.n, pass: s.pass })), rankPolicy, newOrigins) : list
        list.forEach((s, j) => {
          // biome-ignore lint/style/noNonNullAssertion: weightsByOrigin answers one weight per origin, position for position
          const w = weights[j]!
          arm.origins.push({ origin: s.peerId, self: s.originId === 0, n: s.n, pass: s.pass, pass_rate: s.pass / s.n, weighted_n: w.n, weighted_pass: w.pass, capped: w.n < s.n })
        })
      })
      for (const arm of arms) arm.origins.sort((a, b) => b.n - a.n)
      return { task_type: best.task_type, scope: r.scope, window_days: r.windowDays, origin_cap: rankPolicy.originCap, arms }
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
    maintain: () => store.maintain(now()),
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
