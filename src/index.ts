import './polyfill.js'
import { openTracker as openStoreTracker } from './tracker.js'
import type { Tracker, TrackerOptions } from './tracker-api.js'

/**
 * Opens the embedded tracker on a data dir (default: $HIVEBENCH_DATA_DIR or ~/.hivebench).
 * Typed as the public Tracker: the store behind it (and its better-sqlite3 types) stays internal.
 */
export const openTracker: (options?: TrackerOptions) => Tracker = openStoreTracker

export type { Tracker, TrackerOptions, QueryOptions, RouteOptions, BatchOptions, BestResult, StatsResult, OriginBreakdownResult, DailyArmsResult } from './tracker-api.js'
export type { OutcomeInput } from './core/outcome.js'
export type { RankedArm } from './core/ranking.js'
export type { RouteResult, RouteMode, ArmSummary } from './core/route.js'
export type { OriginJson, OutcomeClass, RecordResult, Scope } from './core/types.js'
export { OUTCOME_CLASSES } from './core/types.js'
export { HivebenchError, ValidationError, StateError } from './errors.js'
export type { CaptureInput, GateInput, GateAnswer, TrendInput, TrendAnswer, DriftReport } from './gate/types.js'
export type { GateRow, Verdict } from './core/gate.js'
