import { type Best, type ByOrigin, get, OUTCOME_CLASSES, q, type Trend } from './api.js'
import { outcomeChart, trendChart, wilsonChart } from './charts.js'
import { fill, h, table } from './dom.js'
import { armName, int, pct, secs, shortId, usd, weight } from './format.js'
import type { Page } from './page.js'

const TREND_ARMS = 5

/** One task type: the ranking as intervals, outcome mix, latency and cost, daily trend, origins. */
export function taskPage (taskType: string): Page {
  let scope = 'hive'
  const body = h('div', {})
  const widthOf = (): number => Math.max(280, Math.min(1200, body.clientWidth))
  const select = h('select', { id: 'scope', onChange: () => { scope = select.value; void page.refresh() } },
    h('option', { value: 'hive' }, 'hive (every origin)'), h('option', { value: 'local' }, 'this node only'))

  const page: Page = {
    title: taskType,
    mount: (main) => {
      fill(main, h('p', {}, h('a', { href: '#/' }, '← all task types')), h('h1', {}, taskType),
        h('form', { class: 'controls', onSubmit: (e: Event) => { e.preventDefault() } }, h('label', {}, h('span', {}, 'Scope'), select)), body)
    },
    refresh: async () => {
      const params = { task_type: taskType, scope }
      const [best, origins, trend] = await Promise.all([
        get<Best>(`/v1/best?${q(params)}`),
        get<ByOrigin>(`/v1/arms?${q({ ...params, by: 'origin' })}`),
        get<Trend>(`/v1/arms?${q({ ...params, by: 'day' })}`)
      ])
      const arms = best.ranking
      const [first] = arms
      if (first === undefined) return fill(body, h('p', {}, `No outcomes for ${taskType} in the last ${best.window_days} days (${scope} scope).`))
      const width = widthOf()
      // one tool for every arm (a model comparison): name arms by model, and say so once
      const tool = arms.every(a => a.tool === first.tool) ? first.tool : null
      const name = (a: { tool: string, model: string }): string => tool !== null && a.model !== '' ? a.model : armName(a)
      const top = trend.arms.slice(0, TREND_ARMS)
      fill(body,
        h('p', { class: 'status', role: 'status' }, best.best === null
          ? `No arm has ${best.min_samples} samples yet: nothing is ranked best.`
          : `Best: ${armName(best.best)}, ${pct(best.best.pass_rate)} of ${int(best.best.n)} (lower bound ${pct(best.best.wilson_lower)}). ${arms.length} arms${tool === null ? '' : ` (all run ${tool}, named by model below)`}, last ${best.window_days} days, ${scope} scope.`),
        h('section', { 'aria-labelledby': 'h-ranking' },
          h('h2', { id: 'h-ranking' }, 'Ranking'),
          h('p', { class: 'hint' }, 'Arms are ranked by the lower bound of the Wilson 95% interval: 5 passes out of 5 rank below 95 out of 100.'),
          h('div', { class: 'chart-box', id: 'wilson-chart' }, wilsonChart(arms, width, name)),
          table('Ranking figures', ['Arm', 'Samples', 'Passes', 'Pass rate', '95% interval', 'Weight counted', 'p50', 'p90', 'Mean cost', 'Origins', 'Outcomes'],
            arms.map(a => [name(a), int(a.n), int(a.pass), pct(a.pass_rate), `${pct(a.wilson_lower)} – ${pct(a.wilson_upper)}`, weight(a.weighted_n), secs(a.p50_s), secs(a.p90_s), usd(a.mean_cost_usd), String(a.origins),
              OUTCOME_CLASSES.filter(c => a.outcomes[c] > 0).map(c => `${c.replaceAll('_', ' ')} ${int(a.outcomes[c])}`).join(' · ')]),
            { id: 'ranking-table' })),
        h('section', { 'aria-labelledby': 'h-outcomes' },
          h('h2', { id: 'h-outcomes' }, 'Outcome mix'),
          h('div', { class: 'chart-box' }, outcomeChart(arms, width, name))),
        h('section', { 'aria-labelledby': 'h-trend' },
          h('h2', { id: 'h-trend' }, `Daily trend (top ${top.length} arms)`),
          h('div', { class: 'chart-box' }, trendChart(top.map(a => ({ name: name(a), points: a.days.map(d => ({ day: d.day, value: d.pass_rate })) })), width, 'Pass rate per UTC day', v => pct(v), 1)),
          top.some(a => a.days.some(d => d.p50_s !== null))
            ? h('div', { class: 'chart-box' }, trendChart(top.map(a => ({ name: name(a), points: a.days.map(d => ({ day: d.day, value: d.p50_s })) })), width, 'Median duration per UTC day', v => secs(v)))
            : h('p', { class: 'hint' }, 'No durations recorded for these arms: no latency trend.'),
          h('details', {}, h('summary', {}, 'The daily figures as a table'),
            table('Daily figures of the top arms', ['Arm', 'Day (UTC)', 'Samples', 'Pass rate', 'p50'],
              top.flatMap(a => a.days.map(d => [name(a), d.day, int(d.n), pct(d.pass_rate), secs(d.p50_s)])), { id: 'trend-table' }))),
        h('section', { 'aria-labelledby': 'h-origins' },
          h('h2', { id: 'h-origins' }, 'Contribution by origin'),
          h('p', { class: 'hint' }, `On an arm several origins report, one origin counts for at most ${int(origins.origin_cap)} samples (at its own pass rate), so one peer cannot outweigh the others.`),
          table('Samples per origin and the weight the ranking counted', ['Arm', 'Origin', 'Samples', 'Pass rate', 'Weight counted', 'Capped'],
            origins.arms.flatMap(a => a.origins.map(o => [name(a), h('span', { title: o.origin ?? 'this node' }, o.self && o.origin !== null ? `${shortId(o.origin)} (this node)` : shortId(o.origin)), int(o.n), pct(o.pass_rate), weight(o.weighted_n), o.capped ? 'yes' : 'no'])),
            { id: 'origin-table' })))
    }
  }
  return page
}
