import { basename } from 'node:path'
import { pct, type ReplayResult, type RoundPoint } from './replay-run.js'
import { plainTable } from './plain-table.js'
import { lineChartSvg, writeCsvAndSvg } from './svg-chart.js'

export const CSV_HEADER = 'round,scope,match_share,regret,bytes'

export function replayCsv (series: RoundPoint[]): string {
  const lines = series.map(p => `${p.round},${p.scope},${p.matchShare.toFixed(6)},${p.regret.toFixed(6)},${p.bytes}`)
  return [CSV_HEADER, ...lines].join('\n') + '\n'
}

/** Writes DIR/replay.csv and DIR/replay.svg; returns their paths. */
export function writeReport (result: ReplayResult, dir: string): { csv: string, svg: string } {
  return writeCsvAndSvg(dir, 'replay', replayCsv(result.series), replaySvg(result))
}

export function replayTable (result: ReplayResult): string {
  const table = plainTable(['round', 'local match', 'local regret', 'hive match', 'hive regret', 'local = single', 'hive = single', 'bytes'])
  const rounds = [...new Set(result.series.map(p => p.round))]
  for (const round of rounds) {
    const local = result.series.find(p => p.round === round && p.scope === 'local') as RoundPoint
    const hive = result.series.find(p => p.round === round && p.scope === 'hive') as RoundPoint
    table.push([round, pct(local.matchShare), local.regret.toFixed(4), pct(hive.matchShare), hive.regret.toFixed(4),
      pct(local.agreeSingle), pct(hive.agreeSingle), local.bytes.toLocaleString('en-US')])
  }
  return table.toString()
}

const COLORS = { local: '#d95f02', hive: '#1b6ec2' } as const

/** Line chart of mean regret per round, local vs hive scope (svg-chart.ts). */
export function replaySvg (result: ReplayResult): string {
  const { nodes, seed, rounds, minSamples } = result.options
  const xStep = Math.max(1, Math.ceil(rounds / 20))
  const label = { local: 'local scope (own outcomes only)', hive: 'hive scope (all origins merged)' }
  return lineChartSvg({
    title: `Replay regret per round: local vs hive scope (N = ${nodes} node${nodes === 1 ? '' : 's'}, seed ${seed})`,
    subtitle: `${basename(result.options.data)}: ${result.rows.toLocaleString('en-US')} outcomes, ${rounds} rounds, min samples ${minSamples}; lower is better`,
    xLabel: `round r (every node has recorded r/${rounds} of its rows, then all deltas were exchanged)`,
    yLabel: 'mean regret (best pass rate − chosen arm\'s)',
    xTicks: Array.from({ length: Math.ceil(rounds / xStep) }, (_, i) => 1 + i * xStep),
    xMin: 1,
    xMax: rounds,
    // hive first, so the dashed local line stays visible where they coincide (N = 1)
    series: (['hive', 'local'] as const).map(scope => ({
      name: scope,
      label: label[scope],
      color: COLORS[scope],
      dashed: scope === 'local',
      markers: true,
      points: result.series.filter(p => p.scope === scope).map(p => ({ x: p.round, y: p.regret, title: `${scope} round ${p.round}: regret ${p.regret.toFixed(4)}, match ${pct(p.matchShare)}` }))
    })),
    legend: ['local', 'hive'],
    legendItemWidth: 290,
    note: 'A null answer (no arm with enough samples yet) counts as a random pick: best rate − mean rate of the task type\'s arms.'
  })
}
