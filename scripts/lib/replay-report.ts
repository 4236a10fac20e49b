import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import Table from 'cli-table3'
import { pct, type ReplayResult, type RoundPoint } from './replay-run.js'

export const CSV_HEADER = 'round,scope,match_share,regret,bytes'

export function replayCsv (series: RoundPoint[]): string {
  const lines = series.map(p => `${p.round},${p.scope},${p.matchShare.toFixed(6)},${p.regret.toFixed(6)},${p.bytes}`)
  return [CSV_HEADER, ...lines].join('\n') + '\n'
}

/** Writes DIR/replay.csv and DIR/replay.svg; returns their paths. */
export function writeReport (result: ReplayResult, dir: string): { csv: string, svg: string } {
  mkdirSync(dir, { recursive: true })
  const csv = join(dir, 'replay.csv')
  const svg = join(dir, 'replay.svg')
  writeFileSync(csv, replayCsv(result.series))
  writeFileSync(svg, replaySvg(result))
  return { csv, svg }
}

export function replayTable (result: ReplayResult): string {
  const table = new Table({
    head: ['round', 'local match', 'local regret', 'hive match', 'hive regret', 'local = single', 'hive = single', 'bytes'],
    colAligns: ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    // no colours and no rule between rows: readable when piped to a file
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }
  })
  const rounds = [...new Set(result.series.map(p => p.round))]
  for (const round of rounds) {
    const local = result.series.find(p => p.round === round && p.scope === 'local') as RoundPoint
    const hive = result.series.find(p => p.round === round && p.scope === 'hive') as RoundPoint
    table.push([round, pct(local.matchShare), local.regret.toFixed(4), pct(hive.matchShare), hive.regret.toFixed(4),
      pct(local.agreeSingle), pct(hive.agreeSingle), local.bytes.toLocaleString('en-US')])
  }
  return table.toString()
}

/** "Nice" axis step (1, 2, 2.5 or 5 x 10^k) giving about `ticks` intervals over [0, max]. */
export function niceStep (max: number, ticks = 6): number {
  if (!(max > 0)) return 1
  const raw = max / ticks
  const mag = 10 ** Math.floor(Math.log10(raw))
  return ([1, 2, 2.5, 5, 10].find(m => m * mag >= raw) ?? 10) * mag
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const COLORS = { local: '#d95f02', hive: '#1b6ec2' } as const

/** Line chart of mean regret per round, local vs hive scope. Plain SVG, no dependency. */
export function replaySvg (result: ReplayResult): string {
  const { nodes, seed, rounds, minSamples } = result.options
  const W = 760; const H = 500
  const m = { left: 78, right: 24, top: 70, bottom: 130 }
  const pw = W - m.left - m.right; const ph = H - m.top - m.bottom
  const maxRegret = Math.max(0, ...result.series.map(p => p.regret))
  // headroom above the highest point so no line runs along the top edge
  const step = niceStep(maxRegret * 1.1)
  const yMax = Math.max(step, Math.ceil(maxRegret * 1.1 / step - 1e-9) * step)
  const x = (round: number): number => m.left + (rounds === 1 ? pw / 2 : (round - 1) / (rounds - 1) * pw)
  const y = (v: number): number => m.top + ph - v / yMax * ph
  const digits = step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`)
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(`<text x="${W / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">Replay regret per round: local vs hive scope (N = ${nodes} node${nodes === 1 ? '' : 's'}, seed ${seed})</text>`)
  out.push(`<text x="${W / 2}" y="50" text-anchor="middle" fill="#555">${esc(basename(result.options.data))}: ${result.rows.toLocaleString('en-US')} outcomes, ${rounds} rounds, min samples ${minSamples}; lower is better</text>`)
  // grid and y ticks
  for (let v = 0; v <= yMax + step / 1e6; v += step) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? '#333' : '#e3e3e3'}"/>`)
    out.push(`<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(digits)}</text>`)
  }
  // x ticks
  const xStep = Math.max(1, Math.ceil(rounds / 20))
  for (let r = 1; r <= rounds; r += xStep) {
    out.push(`<line x1="${x(r).toFixed(1)}" x2="${x(r).toFixed(1)}" y1="${m.top + ph}" y2="${m.top + ph + 6}" stroke="#333"/>`)
    out.push(`<text x="${x(r).toFixed(1)}" y="${m.top + ph + 22}" text-anchor="middle">${r}</text>`)
  }
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/>`)
  out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 48}" text-anchor="middle">round r (every node has recorded r/${rounds} of its rows, then all deltas were exchanged)</text>`)
  out.push(`<text transform="translate(20 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">mean regret (best pass rate − chosen arm's)</text>`)
  // lines: hive first, so the dashed local line stays visible where they coincide (N = 1)
  for (const scope of ['hive', 'local'] as const) {
    const pts = result.series.filter(p => p.scope === scope).sort((a, b) => a.round - b.round)
    const color = COLORS[scope]
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5" ${scope === 'local' ? 'stroke-dasharray="7 4"' : ''} points="${pts.map(p => `${x(p.round).toFixed(1)},${y(p.regret).toFixed(1)}`).join(' ')}"/>`)
    for (const p of pts) {
      out.push(`<circle cx="${x(p.round).toFixed(1)}" cy="${y(p.regret).toFixed(1)}" r="4" fill="${color}"><title>${scope} round ${p.round}: regret ${p.regret.toFixed(4)}, match ${pct(p.matchShare)}</title></circle>`)
    }
  }
  // legend: below the x axis label, so it never hides a line
  const legend: Array<[keyof typeof COLORS, string]> = [['local', 'local scope (own outcomes only)'], ['hive', 'hive scope (all origins merged)']]
  const itemW = 290; const ly = m.top + ph + 76
  const lx = m.left + pw / 2 - itemW * legend.length / 2
  out.push(`<rect x="${lx - 8}" y="${ly - 16}" width="${itemW * legend.length + 8}" height="30" fill="none" stroke="#bbb"/>`)
  legend.forEach(([scope, text], i) => {
    const x0 = lx + i * itemW
    out.push(`<line x1="${x0}" x2="${x0 + 34}" y1="${ly - 1}" y2="${ly - 1}" stroke="${COLORS[scope]}" stroke-width="2.5" ${scope === 'local' ? 'stroke-dasharray="7 4"' : ''}/>`)
    out.push(`<circle cx="${x0 + 17}" cy="${ly - 1}" r="4" fill="${COLORS[scope]}"/>`)
    out.push(`<text x="${x0 + 42}" y="${ly + 4}">${text}</text>`)
  })
  const note = 'A null answer (no arm with enough samples yet) counts as a random pick: best rate − mean rate of the task type\'s arms.'
  out.push(`<text x="${W / 2}" y="${H - 14}" text-anchor="middle" fill="#555" font-size="11">${esc(note)}</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}
