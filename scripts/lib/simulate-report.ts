import { basename } from 'node:path'
import { plainTable } from './plain-table.js'
import type { PolicyName } from './simulate-policies.js'
import type { SimulateResult, StepPoint } from './simulate-run.js'
import { lineChartSvg, writeCsvAndSvg } from './svg-chart.js'

export const SIMULATE_CSV_HEADER = 'task,policy,cumulative_regret,best_arm_share,bytes'

export function simulateCsv (points: StepPoint[]): string {
  const lines = points.map(p => `${p.task},${p.policy},${p.cumulativeRegret.toFixed(6)},${p.bestArmShare.toFixed(6)},${Math.round(p.bytes)}`)
  return [SIMULATE_CSV_HEADER, ...lines].join('\n') + '\n'
}

const STYLE: Record<PolicyName, { color: string, dashed?: boolean, label: string }> = {
  hive: { color: '#1b6ec2', label: 'hive (default policy)' },
  local: { color: '#d95f02', dashed: true, label: 'local (no sharing)' },
  'hive-no-explore': { color: '#7570b3', dashed: true, label: 'hive, exploration off' },
  'mean-min5': { color: '#e7298a', label: 'mean-min5 (replaced rule)' },
  central: { color: '#1b9e77', dashed: true, label: 'central (one store)' },
  oracle: { color: '#333333', dashed: true, label: 'oracle (true best arm)' }
}

export function simulateSvg (result: SimulateResult): string {
  const o = result.options
  const names = [...new Set(result.points.map(p => p.policy))]
  const xStep = Math.max(1, Math.ceil(o.tasks / 10 / 10) * 10)
  const seeds = o.seeds.length === 1 ? `seed ${o.seeds[0]}` : `mean of ${o.seeds.length} seeds`
  return lineChartSvg({
    title: `Cumulative regret per node: N = ${o.nodes}, K = ${o.shareEvery === 0 ? 'never' : o.shareEvery}, ${seeds}`,
    subtitle: `${basename(o.data)}: true pass rates of ${result.world.taskTypes.reduce((s, t) => s + t.arms.length, 0)} arms` +
      `${o.skew > 0 ? `, skew ${o.skew}` : ''}${o.live ? ', live daemons' : ''}; lower is better`,
    xLabel: 'tasks per node',
    yLabel: 'cumulative regret (sum of best rate − chosen arm\'s)',
    xTicks: [0, ...Array.from({ length: Math.floor(o.tasks / xStep) }, (_, i) => (i + 1) * xStep)],
    xMin: 0,
    xMax: o.tasks,
    series: names.map(name => ({
      name,
      label: STYLE[name].label,
      color: STYLE[name].color,
      dashed: STYLE[name].dashed,
      points: [{ x: 0, y: 0 }, ...result.points.filter(p => p.policy === name).map(p => ({ x: p.task, y: p.cumulativeRegret }))]
    })),
    legendItemWidth: 220,
    legendColumns: 3,
    note: 'Regret of a task: the task type\'s best true pass rate minus the chosen arm\'s (pass rates over the whole file).'
  })
}

/** Writes DIR/simulate.csv and DIR/simulate.svg; returns their paths. */
export function writeSimulateReport (result: SimulateResult, dir: string): { csv: string, svg: string } {
  return writeCsvAndSvg(dir, 'simulate', simulateCsv(result.points), simulateSvg(result))
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length
const sd = (xs: number[]): number => xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1))

/** Per policy at the last task: the final cumulative regret of each seed. */
export function finals (result: SimulateResult): Map<PolicyName, number[]> {
  const out = new Map<PolicyName, number[]>()
  for (const r of result.runs) out.set(r.policy, [...(out.get(r.policy) ?? []), r.steps.at(-1)?.cumulativeRegret ?? 0]) // no task, no regret
  return out
}

export function simulateTable (result: SimulateResult): string {
  const f = finals(result)
  const ref = (name: PolicyName): number | null => f.has(name) ? mean(f.get(name) as number[]) : null
  const local = ref('local'); const central = ref('central')
  const table = plainTable(['policy', 'cumulative regret', 'sd over seeds', '/ local', '/ central', 'best-arm share (last step)', 'bytes', 'seconds'])
  for (const [name, xs] of f) {
    const last = result.points.filter(p => p.policy === name).at(-1) as StepPoint
    const seconds = result.runs.filter(r => r.policy === name).reduce((s, r) => s + r.seconds, 0)
    table.push([name, mean(xs).toFixed(2), sd(xs).toFixed(2),
      local === null || local === 0 ? '-' : (mean(xs) / local).toFixed(3),
      central === null || central === 0 ? '-' : (mean(xs) / central).toFixed(3),
      `${(100 * last.bestArmShare).toFixed(1)}%`, Math.round(last.bytes).toLocaleString('en-US'), seconds.toFixed(1)])
  }
  return table.toString()
}

/** Per policy, means over seeds: each route() mode's share of the decisions and of the cumulative regret. */
export function modeTable (result: SimulateResult): string {
  const table = plainTable(['policy', 'exploit: decisions', 'regret', 'explore: decisions', 'regret', 'cold start: decisions', 'regret'])
  for (const name of new Set(result.runs.map(r => r.policy))) {
    const runs = result.runs.filter(r => r.policy === name)
    const m = (pick: (r: typeof runs[number]) => number): number => mean(runs.map(pick))
    table.push([name, ...(['exploit', 'explore', 'cold_start'] as const).flatMap(mode =>
      [`${(100 * m(r => r.modeShare[mode])).toFixed(1)}%`, m(r => r.regretByMode[mode]).toFixed(2)])])
  }
  return table.toString()
}

/** The issue's targets, each with its figure and verdict; only those whose policies ran. */
export function targetLines (result: SimulateResult): string[] {
  const f = finals(result)
  const m = (name: PolicyName): number | null => f.has(name) ? mean(f.get(name) as number[]) : null
  const hive = m('hive'); const local = m('local'); const central = m('central'); const noExplore = m('hive-no-explore'); const mean5 = m('mean-min5')
  const verdict = (ok: boolean): string => ok ? 'MET' : 'NOT MET'
  const lines: string[] = []
  if (hive !== null && local !== null) lines.push(`hive / local cumulative regret = ${(hive / local).toFixed(3)} (target <= 0.333): ${verdict(hive <= local / 3)}`)
  if (hive !== null && central !== null) lines.push(`hive / central cumulative regret = ${central === 0 ? '-' : (hive / central).toFixed(3)} (target <= 1.5): ${verdict(hive <= 1.5 * central)}`)
  if (hive !== null && mean5 !== null) lines.push(`replaced rule (mean-min5) cumulative regret ${mean5.toFixed(2)} against hive ${hive.toFixed(2)}: ${hive === 0 ? '-' : (mean5 / hive).toFixed(2)}x`)
  if (hive !== null && noExplore !== null) {
    lines.push(`exploration: hive ${hive.toFixed(2)} against hive-no-explore ${noExplore.toFixed(2)}: ` +
      (hive < noExplore ? `exploration pays (${(100 * (1 - hive / noExplore)).toFixed(1)}% less regret)` : `exploration does not pay on this run (${(100 * (hive / noExplore - 1)).toFixed(1)}% more regret)`))
  }
  const late = result.late
  if (late !== null) {
    lines.push(`late node (joins after ${late.joinAt} tasks, syncs from a peer): best-arm share over its first ${late.window} tasks ${(100 * late.lateShare).toFixed(1)}%, ` +
      `the hive's over the same tasks ${(100 * late.hiveShare).toFixed(1)}%` +
      (late.aloneShare === null ? '' : `, a node alone over its first ${late.window} ${(100 * late.aloneShare).toFixed(1)}%`) +
      `; reaches the hive's share after ${late.tasksToReach === null ? `more than ${late.window}` : late.tasksToReach} task${late.tasksToReach === 1 ? '' : 's'} ` +
      `(target <= 20): ${verdict(late.tasksToReach !== null && late.tasksToReach <= 20)}`)
  }
  return lines
}
