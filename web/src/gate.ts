import { get } from './api.js'
import { fill, h, table } from './dom.js'
import { ago, pct } from './format.js'
import type { Page } from './page.js'

/** One row of a gate result: a task type compared between a baseline and now. */
interface GateRow { task_type: string, old?: unknown, new?: unknown, verdict: string, pass_rate_drop?: number | null, p_value?: number | null, reason?: string }
interface Baseline { name: string, created_at?: string, note?: string | null, last_gate?: { verdict: string, reason?: string, rows?: GateRow[] } | null, last_gate_at?: string | null }

const label = (b: Baseline): string => b.name
/** regressions stand out; the other verdicts (improvement, no_change, insufficient_evidence) read as words */
const verdictCell = (v: string): HTMLElement => h(v === 'regression' ? 'strong' : 'span', { class: v === 'regression' ? 'bad' : v === 'improvement' ? 'good' : undefined }, v.replaceAll('_', ' '))
/** old/new are one side of the comparison: an arm (or the overall row) with its counts */
const cell = (v: unknown): string => {
  if (v === null || typeof v !== 'object') return v === null || v === undefined ? '–' : String(v)
  const o = v as Record<string, unknown>
  const arm = typeof o.tool === 'string' ? `${o.tool}${typeof o.model === 'string' && o.model !== '' ? ` · ${o.model}` : ''}, ` : ''
  const counts = typeof o.n === 'number' && typeof o.pass === 'number' ? ` (${o.pass}/${o.n})` : ''
  return `${arm}${typeof o.pass_rate === 'number' ? pct(o.pass_rate) : '–'}${counts}`
}

/** The last gate result per baseline (shown only on nodes that have baselines). */
export function gatePage (): Page {
  const body = h('div', {})
  return {
    title: 'Gate',
    mount: (main) => { fill(main, h('h1', {}, 'Regression gate'), body) },
    refresh: async () => {
      const { baselines } = await get<{ baselines: Baseline[] }>('/v1/baselines')
      fill(body, baselines.length === 0 ? h('p', {}, 'No baselines yet.') : baselines.map(b => {
        const gate = b.last_gate ?? null
        return h('section', { class: 'baseline' },
          h('h2', {}, label(b), ' ', gate === null ? h('span', { class: 'muted' }, '(never gated)') : verdictCell(gate.verdict)),
          gate === null ? null : h('p', { class: 'hint' }, `last gated ${ago(b.last_gate_at)}`, gate.reason === undefined ? '' : `: ${gate.reason}`),
          gate === null || gate.rows === undefined ? null : table(`Gate result for ${label(b)}`, ['Task type', 'Baseline', 'Now', 'Verdict', 'Pass-rate drop', 'p-value', 'Why'],
            gate.rows.map(r => [r.task_type, cell(r.old), cell(r.new), verdictCell(r.verdict), r.pass_rate_drop == null ? '–' : pct(r.pass_rate_drop), r.p_value == null ? '–' : r.p_value.toPrecision(2), h('span', { class: 'wrap' }, r.reason ?? '')]), { class: 'gate-table' }))
      }))
    }
  }
}
