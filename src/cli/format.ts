import type { RankedArm } from '../core/ranking.js'
import type { OriginBreakdownResult } from '../tracker.js'
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

const weight = (x: number): string => Number.isInteger(x) ? String(x) : x.toFixed(1)

/** Each arm's samples per origin and the weight the ranking counted after the per-origin cap. */
export function originTable (result: OriginBreakdownResult): string {
  const rows = result.arms.flatMap(arm => arm.origins.map(o => {
    const origin = o.origin ?? 'this node'
    return [arm.tool, arm.model === '' ? '-' : arm.model, o.self && o.origin !== null ? `${origin} (this node)` : origin, String(o.n), percent(o.pass_rate), weight(o.weighted_n), o.capped ? 'yes' : 'no']
  }))
  return textTable(['tool', 'model', 'origin', 'n', 'pass rate', 'weight counted', 'capped'], rows)
}

/** What the ranking table's abbreviations mean: printed once under the table(s). */
export const RANKING_LEGEND = 'n: samples; 95% bounds: Wilson score interval of the pass rate (rank 1 has the highest lower bound); p50/p90: duration quantiles; ' +
  'outcomes: ok pass, fail grader_fail, tmo timeout, ntc no_tool_calls, err error; origins: nodes whose samples count; ·: fewer samples than --min-samples, not ranked'
