import type { OutcomeInput } from './core/outcome.js'
import type { GateOperations } from './gate/types.js'
import type { RankedArm, RankPolicy } from './core/ranking.js'
import type { RouteResult } from './core/route.js'
import type { OriginJson, RecordResult, Scope } from './core/types.js'

// The published types of the embedded API (src/index.ts). Nothing here may reach the store's
// modules: their declarations import better-sqlite3's types, which a consumer need not have.

export interface TrackerOptions {
  /** default: $HIVEBENCH_DATA_DIR or ~/.hivebench */
  dataDir?: string
  retentionDays?: number
  windowDays?: number
  minSamples?: number
  /** the hive ranking's defences against liars and Sybils (core/ranking.ts); defaults: DEFAULT_RANK_POLICY */
  rankPolicy?: Partial<RankPolicy>
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
  /** arms listed per ranking, best first (default DEFAULT_ANSWER_ARMS); `arms_total` says how many there are */
  limit?: number
}

/** `route()`: the query options, and how the decision is drawn (the same as `GET /v1/route`). */
export interface RouteOptions extends QueryOptions {
  /** each arm's chance to be scored by a posterior draw, 0..1 (default 2 / the number of arms, core/route.ts defaultExploreShare; 0: always the best arm) */
  exploreShare?: number
  /** makes the decision reproducible: an integer, or any string */
  seed?: number | string
  /**
   * Only these tools are candidates (`hivebench run --choose`): arms of other tools are left
   * out, and a listed tool with no outcome yet is a candidate with n = 0.
   */
  tools?: readonly string[]
}

export interface BatchOptions {
  /** each input's line in a file: errors then name the line instead of the row */
  lines?: number[]
  /** called every few thousand rows while validating, and once at the end */
  onProgress?: (done: number, total: number) => void
}

export interface BestResult {
  task_type: string
  scope: Scope
  window_days: number
  min_samples: number
  best: RankedArm | null
  ranking: RankedArm[]
  /** arms known for the task type; the ranking lists the first `limit` */
  arms_total: number
  /** false: no arm of this task type has a sample in this scope and window (a typo, or nothing recorded yet) */
  known: boolean
  /** when not known: the known task types closest to the name asked for, closest first (else empty) */
  closest: string[]
}

export interface StatsResult {
  scope: Scope
  window_days: number
  task_types: Array<{ task_type: string, ranking: RankedArm[], arms_total: number }>
}

/**
 * The embedded API: what `hivebench` does, without the daemon. Recording validates every
 * field (DESIGN section 2) at run time too (JavaScript callers, data read from files); queries
 * rank arms (section 5) and return the JSON shape of section 6, the same as the HTTP API's;
 * baselines, the upgrade gate, trends and drift come from gate/service.ts.
 */
export interface Tracker extends GateOperations {
  /** the data directory in use */
  readonly dataDir: string
  /** days of outcomes kept; `at` must fall inside them */
  readonly retentionDays: number
  record: (input: OutcomeInput) => RecordResult
  /**
   * Records one outcome in a group commit: outcomes given in the same turn of the event loop
   * share one transaction (each caller still learns whether its own outcome was new). Resolves
   * once committed; a bad outcome throws at once, without affecting the others. Servers use it
   * so that many concurrent single-outcome requests cost one transaction.
   */
  recordSoon: (input: OutcomeInput) => Promise<RecordResult>
  /**
   * All-or-nothing: one bad row stores nothing and the error names its 1-based row (or, when
   * `lines` gives each input's line in a file, its line).
   */
  recordBatch: (inputs: readonly OutcomeInput[], options?: BatchOptions) => RecordResult
  best: (taskType: string, options?: QueryOptions) => BestResult
  /** Which arm to use now: the best, or (at the explore share) an exploration, with the reason. */
  route: (taskType: string, options?: RouteOptions) => RouteResult
  stats: (options?: QueryOptions & { taskType?: string }) => StatsResult
  /** Every origin whose counters this node holds (this node's own included), for `peers`. */
  origins: () => OriginJson[]
  /** Each arm's samples per origin and the weight the ranking gave them (`GET /v1/arms?by=origin`). */
  armsByOrigin: (taskType: string, options?: QueryOptions) => OriginBreakdownResult
  /** Each arm's pass rate and latency per UTC day (`GET /v1/arms?by=day`). */
  armsByDay: (taskType: string, options?: QueryOptions) => DailyArmsResult
  /**
   * Prunes day buckets (raw outcomes included) older than the retention window, never faster
   * than real time passes (a clock jump is held back). The daemon runs it at start and hourly;
   * an embedded user runs it now and then (daily is plenty).
   */
  maintain: () => MaintenanceReport
  close: () => void
}

/** What one maintenance run did. */
export interface MaintenanceReport {
  /** days <= pruningDay - retention days are gone */
  pruningDay: number
  /** today by the wall clock */
  today: number
  /** how far the wall clock is ahead of what elapsed real time allows (a jump, or downtime) */
  heldBackDays: number
  /** rows removed in this run */
  pruned: { counters: number, envelopes: number, origins: number }
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
