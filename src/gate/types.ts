import type { GateResult } from '../core/gate.js'
import type { ArmTrend } from '../core/trend.js'
import type { Scope } from '../core/types.js'

// The gate's inputs and answers, apart from the operations: they are part of the published
// Tracker type (src/tracker-api.ts), whose declarations must not reach the store's (and with
// them better-sqlite3's types).

export interface CaptureInput {
  name: string
  scope?: Scope
  taskTypes?: string[]
  windowDays?: number
  note?: string
  gitSha?: string
}

export interface GateInput {
  /** compare against this baseline ... */
  baseline?: string
  /** ... with the outcomes added since it was captured (the default) ... */
  candidate?: 'current'
  /** ... or with another baseline */
  candidateBaseline?: string
  /** or compare two arms on live data (TOOL or TOOL/MODEL) */
  old?: string
  new?: string
  /** only these arms (TOOL or TOOL/MODEL) */
  arms?: string[]
  taskTypes?: string[]
  maxDrop?: number
  maxSlowdown?: number
  confidence?: number
  allowInsufficient?: boolean
  /** live comparisons (--old/--new) only: scope and window */
  scope?: Scope
  windowDays?: number
}

/** A task type and arm one side has and the other lacks: it could not be compared (listed, never dropped silently). */
export interface NotCompared { task_type: string, tool: string, model: string, missing: 'old' | 'new' }

export type GateAnswer = GateResult & {
  exit_code: number
  not_compared: NotCompared[]
  old: Record<string, unknown>
  new: Record<string, unknown>
  gated_at: string
}

/** The baselines, gate, trend and drift operations shared by the CLI, the HTTP API and the embedded API. */
export interface GateOperations {
  captureBaseline: (input: CaptureInput) => Record<string, unknown>
  listBaselines: () => Array<Record<string, unknown>>
  /** null when there is no such baseline */
  showBaseline: (name: string) => Record<string, unknown> | null
  /** false when there was no such baseline */
  deleteBaseline: (name: string) => boolean
  gate: (input: GateInput) => GateAnswer
  trend: (input: TrendInput) => TrendAnswer
  /** each benchmarked arm's last `windowDays` against the `windowDays` before (the daemon runs it daily) */
  drift: (options?: { windowDays?: number, confidence?: number }) => DriftReport
}

export interface TrendInput {
  taskType: string
  arms?: string[]
  days?: number
  scope?: Scope
  confidence?: number
}

export interface TrendAnswer {
  task_type: string
  scope: Scope
  days: number
  from: string
  to: string
  confidence: number
  arms: Array<{ tool: string, model: string, n: number, pass: number } & Omit<ArmTrend, 'points'> & { points: Array<Omit<ArmTrend['points'][number], 'day'> & { date: string }> }>
}

export interface DriftReport {
  checked_at: string
  window_days: number
  arms_checked: number
  regressions: Array<{ task_type: string, tool: string, model: string, pass_rate_drop: number | null, p50_ratio: number | null, p90_ratio: number | null, p_value: number | null, reason: string }>
}
