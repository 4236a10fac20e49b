import { COUNTER_SCALARS } from '../core/types.js'
import { histFromHex, scalarCountersFromValues, SCALAR_COLUMN_LIST } from './counter-columns.js'
import { createCountersVersion } from './counters-version.js'
import { writeTransaction, type Db } from './db.js'
import type { ArmAggregate, Scope } from './arm-queries.js'

/**
 * One arm of a baseline: an arm's aggregate frozen at capture time (true totals over the scope
 * and window), without the per-origin counts, which a baseline does not keep.
 */
export type BaselineArm = Omit<ArmAggregate, 'perOrigin'>

export interface BaselineMeta {
  name: string
  createdMs: number
  scope: Scope
  windowDays: number
  startDay: number
  endDay: number
  /** the task types asked for at capture; null = all */
  taskTypes: string[] | null
  note: string | null
  gitSha: string | null
  /** the last gate result judged against this baseline (JSON), and when */
  lastGate: unknown
  lastGateMs: number | null
}

export interface Baseline extends BaselineMeta {
  arms: BaselineArm[]
}

/**
 * The baselines tables (migration 6). Local only: nothing here is exported or gossiped. A
 * baseline is written once, in one transaction, and only its last-gate columns change later.
 */
export interface BaselineTable {
  /** false when the name is taken (nothing is written then) */
  insert: (baseline: Baseline) => boolean
  list: () => Array<BaselineMeta & { arms: number }>
  get: (name: string) => Baseline | null
  /** false when there was no such baseline */
  delete: (name: string) => boolean
  setLastGate: (name: string, result: unknown, atMs: number) => void
}

const ARM_COLUMNS = ['task_type', 'tool', 'model', ...SCALAR_COLUMN_LIST, 'hist', 'origins']

interface MetaRow {
  name: string, created_ms: number, scope: Scope, window_days: number, start_day: number, end_day: number,
  task_types: string | null, note: string | null, git_sha: string | null, last_gate: string | null, last_gate_ms: number | null
}

function metaOf (r: MetaRow): BaselineMeta {
  return {
    name: r.name,
    createdMs: r.created_ms,
    scope: r.scope,
    windowDays: r.window_days,
    startDay: r.start_day,
    endDay: r.end_day,
    taskTypes: r.task_types === null ? null : JSON.parse(r.task_types) as string[],
    note: r.note,
    gitSha: r.git_sha,
    lastGate: r.last_gate === null ? null : JSON.parse(r.last_gate),
    lastGateMs: r.last_gate_ms
  }
}

export function createBaselineTable (db: Db): BaselineTable {
  const insertMeta = db.prepare(`INSERT INTO baselines (name, created_ms, scope, window_days, start_day, end_day, task_types, note, git_sha)
    VALUES (@name, @createdMs, @scope, @windowDays, @startDay, @endDay, @taskTypes, @note, @gitSha) ON CONFLICT (name) DO NOTHING`)
  const insertArm = db.prepare(`INSERT INTO baseline_arms (baseline, ${ARM_COLUMNS.join(', ')}) VALUES (${['?', ...ARM_COLUMNS.map(() => '?')].join(', ')})`)
  const selectMeta = db.prepare<[string], MetaRow>('SELECT * FROM baselines WHERE name = ?')
  const selectAll = db.prepare<[], MetaRow & { arms: number }>(
    'SELECT b.*, (SELECT COUNT(*) FROM baseline_arms a WHERE a.baseline = b.name) AS arms FROM baselines b ORDER BY created_ms, name')
  const selectArms = db.prepare<[string], unknown[]>(
    `SELECT task_type, tool, model, ${SCALAR_COLUMN_LIST.join(', ')}, hex(hist), origins FROM baseline_arms WHERE baseline = ? ORDER BY task_type, tool, model`).raw(true)
  const deleteArms = db.prepare<[string]>('DELETE FROM baseline_arms WHERE baseline = ?')
  const deleteMeta = db.prepare<[string]>('DELETE FROM baselines WHERE name = ?')
  const updateGate = db.prepare<[string, number, string]>('UPDATE baselines SET last_gate = ?, last_gate_ms = ? WHERE name = ?')
  const histAt = 3 + SCALAR_COLUMN_LIST.length
  // the gate page shows the baselines and their last verdicts
  const version = createCountersVersion(db)

  return {
    insert: writeTransaction(db, (b: Baseline): boolean => {
      const info = insertMeta.run({ ...b, taskTypes: b.taskTypes === null ? null : JSON.stringify(b.taskTypes) })
      if (info.changes === 0) return false
      for (const a of b.arms) {
        insertArm.run(b.name, a.taskType, a.tool, a.model, ...COUNTER_SCALARS.map(f => a.totals[f]), a.hist, a.origins)
      }
      version.bump()
      return true
    }),
    list: () => selectAll.all().map(r => ({ ...metaOf(r), arms: r.arms })),
    get (name) {
      const meta = selectMeta.get(name)
      if (meta === undefined) return null
      const arms = selectArms.all(name).map(row => ({
        taskType: row[0] as string,
        tool: row[1] as string,
        model: row[2] as string,
        totals: scalarCountersFromValues(row, 3),
        hist: histFromHex(row[histAt] as string | null),
        origins: Number(row[histAt + 1])
      }))
      return { ...metaOf(meta), arms }
    },
    delete: writeTransaction(db, (name: string): boolean => {
      deleteArms.run(name)
      const deleted = deleteMeta.run(name).changes > 0
      if (deleted) version.bump()
      return deleted
    }),
    setLastGate (name, result, atMs) {
      if (updateGate.run(JSON.stringify(result), atMs, name).changes > 0) version.bump()
    }
  }
}
