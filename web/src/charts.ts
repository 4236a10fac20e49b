import { type RankedArm, OUTCOME_CLASSES, type OutcomeClass } from './api.js'
import { h, s } from './dom.js'
import { armName, pct } from './format.js'

/**
 * Hand-made SVG charts, drawn at the pixel width of their container (so text stays readable on
 * a phone) and labelled for screen readers: each chart is an image with a title and a
 * description, and every figure it shows is also in a table next to it.
 */

let ids = 0
const nextId = (): string => `chart-${++ids}`

export const OUTCOME_COLOURS: Record<OutcomeClass, string> = {
  pass: '#007a5a', grader_fail: '#c0392b', timeout: '#b86e00', no_tool_calls: '#2f6fb0', error: '#8e44ad'
}
/** Okabe-Ito, darkened where needed for contrast on white */
const SERIES_COLOURS = ['#0062a3', '#b35900', '#007a5a', '#a8457f', '#3d7fb8', '#5c5c5c']
/** The colour of series i: the table's, round robin (the text colour only if the table were empty). */
const colourOf = (i: number): string => SERIES_COLOURS[i % SERIES_COLOURS.length] ?? 'currentColor'

function frame (width: number, height: number, title: string, desc: string, ...children: Array<SVGElement | SVGElement[] | null>): SVGElement {
  const t = nextId()
  return s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${t}-t ${t}-d`, class: 'chart' },
    s('title', { id: `${t}-t` }, title), s('desc', { id: `${t}-d` }, desc), ...children.flat().filter((c): c is SVGElement => c !== null))
}

const TOP = 24

/**
 * Rows of labelled bars: on a wide screen the label sits left of its bar (one line per arm), on
 * a narrow one above it (two lines), so long model names stay readable either way.
 */
interface Rows { row: number, labelX: number, labelY: (i: number) => number, barY: (i: number) => number, x: (v: number) => number, height: (n: number) => number }
function rows (width: number): Rows {
  const pad = 8
  if (width >= 760) {
    const left = Math.min(320, Math.round(width * 0.32))
    return { row: 24, labelX: pad, labelY: i => TOP + i * 24 + 16, barY: i => TOP + i * 24 + 7, x: v => left + v * (width - left - pad), height: n => TOP + n * 24 + 4 }
  }
  return { row: 36, labelX: pad, labelY: i => TOP + i * 36 + 11, barY: i => TOP + i * 36 + 17, x: v => pad + v * (width - 2 * pad), height: n => TOP + n * 36 + 4 }
}

/** A 0-100% axis with gridlines, for the rows below it. */
function percentAxis (x: (v: number) => number, height: number): SVGElement[] {
  return [0, 0.25, 0.5, 0.75, 1].map(v => s('g', { class: 'axis' },
    s('line', { x1: x(v), x2: x(v), y1: TOP - 6, y2: height }),
    s('text', { x: x(v), y: TOP - 10, 'text-anchor': v === 0 ? 'start' : v === 1 ? 'end' : 'middle' }, `${v * 100}%`)))
}

/**
 * The ranking as Wilson 95% intervals: a short bar (5/5) spans much of the axis, a long run
 * (95/100) a narrow band further right, so the ranking key (the lower bound) is visible.
 */
export function wilsonChart (arms: RankedArm[], width: number, name: (a: RankedArm) => string = armName): SVGElement {
  const r = rows(width)
  const height = r.height(arms.length)
  return frame(width, height, 'Pass rate with its Wilson 95% interval, per arm, in ranking order',
    'Each row is an arm: the bar spans the 95% interval, the dot is the observed pass rate, the tick is the lower bound the ranking sorts by. Grey rows have too few samples to be ranked. The table below lists the same figures.',
    percentAxis(r.x, height),
    arms.map((a, i) => {
      const y = r.barY(i)
      const cls = a.benchmarked ? 'interval' : 'interval muted'
      return s('g', { class: cls, 'data-arm': name(a), 'data-lower': a.wilson_lower, 'data-upper': a.wilson_upper, 'data-rate': a.pass_rate ?? '' },
        s('title', {}, `${name(a)}: ${a.pass}/${a.n} pass (${pct(a.pass_rate)}), 95% interval ${pct(a.wilson_lower)} to ${pct(a.wilson_upper)}`),
        s('text', { x: r.labelX, y: r.labelY(i), class: 'label' }, `${i + 1}. ${name(a)}  ${a.pass}/${a.n}${a.benchmarked ? '' : ' (too few to rank)'}`),
        s('rect', { x: r.x(a.wilson_lower), y, width: Math.max(2, r.x(a.wilson_upper) - r.x(a.wilson_lower)), height: 10, rx: 3, class: 'band' }),
        s('line', { x1: r.x(a.wilson_lower), x2: r.x(a.wilson_lower), y1: y - 3, y2: y + 13, class: 'lower' }),
        a.pass_rate === null ? null : s('circle', { cx: r.x(a.pass_rate), cy: y + 5, r: 4, class: 'rate' }))
    }))
}

/** Outcome mix per arm: one 100% bar each, classes stacked in a fixed order. */
export function outcomeChart (arms: RankedArm[], width: number, name: (a: RankedArm) => string = armName): HTMLElement {
  const r = rows(width)
  const height = r.height(arms.length)
  const svg = frame(width, height, 'Outcome mix per arm', 'Each row is an arm, its bar split by outcome class in the order of the legend, as a share of its samples. The ranking table lists the counts.',
    percentAxis(r.x, height),
    arms.map((a, i) => {
      let at = 0
      return s('g', { 'data-arm': name(a) },
        s('text', { x: r.labelX, y: r.labelY(i), class: 'label' }, name(a)),
        OUTCOME_CLASSES.filter(c => a.outcomes[c] > 0).map(c => {
          const share = a.outcomes[c] / a.n
          const rect = s('rect', { x: r.x(at), y: r.barY(i) - 1, width: r.x(at + share) - r.x(at), height: 12, fill: OUTCOME_COLOURS[c] }, s('title', {}, `${name(a)}: ${c} ${a.outcomes[c]} of ${a.n} (${pct(share)})`))
          at += share
          return rect
        }))
    }))
  return h('figure', {}, svg, legend(OUTCOME_CLASSES.map(c => [c.replaceAll('_', ' '), OUTCOME_COLOURS[c]])))
}

function legend (items: Array<[string, string]>): HTMLElement {
  return h('ul', { class: 'legend', 'aria-label': 'legend' }, items.map(([label, colour]) =>
    h('li', {}, s('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, s('rect', { width: 12, height: 12, rx: 2, fill: colour })), ` ${label}`)))
}

export interface Series { name: string, points: Array<{ day: string, value: number | null }> }

/** A daily line chart (one line per arm) over the days that have data. */
export function trendChart (series: Series[], width: number, title: string, format: (v: number) => string, fixedMax?: number): HTMLElement {
  const days = [...new Set(series.flatMap(se => se.points.map(p => p.day)))].sort()
  const values = series.flatMap(se => se.points.map(p => p.value)).filter((v): v is number => v !== null)
  const max = fixedMax ?? Math.max(...values, 0) * 1.1
  const height = 180
  const left = 52
  const right = 12
  const x = (day: string): number => days.length === 1 ? (left + width - right) / 2 : left + days.indexOf(day) / (days.length - 1) * (width - left - right)
  const y = (v: number): number => 12 + (1 - v / (max === 0 ? 1 : max)) * (height - 40)
  const ticks = [0, 0.5, 1].map(f => f * max)
  const svg = frame(width, height, title, `${series.length} arms over ${days.length} UTC day(s), from ${days[0] ?? '–'} to ${days[days.length - 1] ?? '–'}. Each point's value is in its tooltip.`,
    ticks.map(t => s('g', { class: 'axis' }, s('line', { x1: left, x2: width - right, y1: y(t), y2: y(t) }), s('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end' }, format(t)))),
    [days[0], days[days.length - 1]].filter((d, i, all) => d !== undefined && all.indexOf(d) === i).map(d =>
      s('text', { x: x(d as string), y: height - 8, 'text-anchor': days.length === 1 ? 'middle' : d === days[0] ? 'start' : 'end', class: 'axis-label' }, d as string)),
    series.map((se, i) => {
      const colour = colourOf(i)
      const pts = se.points.filter((p): p is { day: string, value: number } => p.value !== null)
      return s('g', {},
        pts.length > 1 ? s('polyline', { points: pts.map(p => `${x(p.day)},${y(p.value)}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2 }) : null,
        pts.map(p => s('circle', { cx: x(p.day), cy: y(p.value), r: 3.5, fill: colour }, s('title', {}, `${se.name}, ${p.day}: ${format(p.value)}`))))
    }))
  return h('figure', {}, svg, legend(series.map((se, i) => [se.name, colourOf(i)])))
}
