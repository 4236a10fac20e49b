import type { RankedArm } from '../core/ranking.js'
import { textTable } from './table.js'

const percent = (x: number | null): string => x === null ? '-' : `${(x * 100).toFixed(1)}%`
const seconds = (x: number | null): string => x === null ? '-' : x < 10 ? `${x.toFixed(2)}s` : `${x.toFixed(0)}s`
const usd = (x: number | null): string => x === null ? '-' : `$${x.toFixed(x < 1 ? 4 : 2)}`

function outcomeMix (arm: RankedArm): string {
  const short: Record<string, string> = { pass: 'ok', grader_fail: 'fail', timeout: 'tmo', no_tool_calls: 'ntc', error: 'err' }
  return Object.entries(arm.outcomes).filter(([, c]) => c > 0).map(([k, c]) => `${short[k]} ${c}`).join(' ')
}

/** A readable ranking table: rank, arm, samples, pass rate with its 95% Wilson bounds, latency, cost, mix. */
export function rankingTable (ranking: RankedArm[]): string {
  const head = ['#', 'tool', 'model', 'n', 'pass rate', '95% bounds', 'p50', 'p90', 'mean cost', 'outcomes', 'origins']
  return textTable(head, ranking.map((arm, i) => [
    arm.benchmarked ? String(i + 1) : '·',
    arm.tool,
    arm.model === '' ? '-' : arm.model,
    String(arm.n),
    percent(arm.pass_rate),
    `${percent(arm.wilson_lower)}–${percent(arm.wilson_upper)}`,
    seconds(arm.p50_s),
    seconds(arm.p90_s),
    usd(arm.mean_cost_usd),
    outcomeMix(arm),
    String(arm.origins)
  ]))
}
