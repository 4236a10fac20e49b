import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The line chart the evaluation scripts draw (npm run replay, npm run simulate): plain SVG, no
 * dependency, every asset in the file. One y axis from 0 with "nice" ticks, one x axis, a line
 * per series (optionally with a marker and a tooltip per point), a legend below the x-axis label
 * so it never hides a line, and a footnote.
 */

export interface ChartPoint { x: number, y: number, /** tooltip of the point's marker */ title?: string }

export interface ChartSeries {
  name: string
  /** legend text */
  label: string
  color: string
  dashed?: boolean
  /** a circle (with its tooltip) on every point */
  markers?: boolean
  points: ChartPoint[]
}

export interface LineChart {
  title: string
  subtitle: string
  xLabel: string
  yLabel: string
  /** x values that get a tick and a label */
  xTicks: number[]
  xMin: number
  xMax: number
  /** drawn in this order: later series are on top */
  series: ChartSeries[]
  /** series names in legend order (default: drawing order) */
  legend?: string[]
  legendItemWidth: number
  /** legend items per row */
  legendColumns?: number
  note: string
  width?: number
  height?: number
}

/** "Nice" axis step (1, 2, 2.5 or 5 x 10^k) giving about `ticks` intervals over [0, max]. */
export function niceStep (max: number, ticks = 6): number {
  if (!(max > 0)) return 1
  const raw = max / ticks
  const mag = 10 ** Math.floor(Math.log10(raw))
  return ([1, 2, 2.5, 5, 10].find(m => m * mag >= raw) ?? 10) * mag
}

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const DASH = 'stroke-dasharray="7 4"'

export function lineChartSvg (c: LineChart): string {
  const legendColumns = c.legendColumns ?? c.series.length
  const legendRows = Math.ceil(c.series.length / legendColumns)
  const W = c.width ?? 760; const H = (c.height ?? 500) + 30 * (legendRows - 1)
  const m = { left: 78, right: 24, top: 70, bottom: 130 + 30 * (legendRows - 1) }
  const pw = W - m.left - m.right; const ph = H - m.top - m.bottom
  const maxY = Math.max(0, ...c.series.flatMap(s => s.points.map(p => p.y)))
  // headroom above the highest point so no line runs along the top edge
  const step = niceStep(maxY * 1.1)
  const yMax = Math.max(step, Math.ceil(maxY * 1.1 / step - 1e-9) * step)
  const x = (v: number): number => m.left + (c.xMax === c.xMin ? pw / 2 : (v - c.xMin) / (c.xMax - c.xMin) * pw)
  const y = (v: number): number => m.top + ph - v / yMax * ph
  const digits = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`)
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(`<text x="${W / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">${esc(c.title)}</text>`)
  out.push(`<text x="${W / 2}" y="50" text-anchor="middle" fill="#555">${esc(c.subtitle)}</text>`)
  // grid and y ticks
  for (let v = 0; v <= yMax + step / 1e6; v += step) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? '#333' : '#e3e3e3'}"/>`)
    out.push(`<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(digits)}</text>`)
  }
  for (const t of c.xTicks) {
    out.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${m.top + ph}" y2="${m.top + ph + 6}" stroke="#333"/>`)
    out.push(`<text x="${x(t).toFixed(1)}" y="${m.top + ph + 22}" text-anchor="middle">${t}</text>`)
  }
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/>`)
  out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 48}" text-anchor="middle">${esc(c.xLabel)}</text>`)
  out.push(`<text transform="translate(20 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`)
  for (const s of c.series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x)
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5" ${s.dashed === true ? DASH : ''} points="${pts.map(p => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ')}"/>`)
    if (s.markers !== true) continue
    for (const p of pts) {
      out.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="4" fill="${s.color}">${p.title === undefined ? '' : `<title>${esc(p.title)}</title>`}</circle>`)
    }
  }
  const byName = new Map(c.series.map(s => [s.name, s]))
  const legend = (c.legend ?? c.series.map(s => s.name)).map(name => byName.get(name)).filter(s => s !== undefined)
  const itemW = c.legendItemWidth
  const columns = Math.min(legendColumns, legend.length)
  const lx = m.left + pw / 2 - itemW * columns / 2
  const ly = m.top + ph + 76
  out.push(`<rect x="${lx - 8}" y="${ly - 16}" width="${itemW * columns + 8}" height="${30 * legendRows}" fill="none" stroke="#bbb"/>`)
  legend.forEach((s, i) => {
    const x0 = lx + (i % columns) * itemW
    const y0 = ly + 30 * Math.floor(i / columns)
    out.push(`<line x1="${x0}" x2="${x0 + 34}" y1="${y0 - 1}" y2="${y0 - 1}" stroke="${s.color}" stroke-width="2.5" ${s.dashed === true ? DASH : ''}/>`)
    if (s.markers === true) out.push(`<circle cx="${x0 + 17}" cy="${y0 - 1}" r="4" fill="${s.color}"/>`)
    out.push(`<text x="${x0 + 42}" y="${y0 + 4}">${esc(s.label)}</text>`)
  })
  out.push(`<text x="${W / 2}" y="${H - 14}" text-anchor="middle" fill="#555" font-size="11">${esc(c.note)}</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}

/** Writes DIR/NAME.csv and DIR/NAME.svg (a run's series and its chart); returns their paths. */
export function writeCsvAndSvg (dir: string, name: string, csvText: string, svgText: string): { csv: string, svg: string } {
  mkdirSync(dir, { recursive: true })
  const csv = join(dir, `${name}.csv`)
  const svg = join(dir, `${name}.svg`)
  writeFileSync(csv, csvText)
  writeFileSync(svg, svgText)
  return { csv, svg }
}
