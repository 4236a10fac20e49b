import './polyfill.js'

export { openTracker } from './tracker.js'
export type { Tracker, TrackerOptions, QueryOptions, BestResult, StatsResult, OriginBreakdownResult, DailyArmsResult } from './tracker.js'
export type { OutcomeInput } from './core/outcome.js'
export type { RankedArm } from './core/ranking.js'
export { HivebenchError, ValidationError, StateError } from './errors.js'
export type { CaptureInput, GateInput, GateAnswer, TrendInput, TrendAnswer, DriftReport } from './gate/service.js'
export type { GateRow, Verdict } from './core/gate.js'
