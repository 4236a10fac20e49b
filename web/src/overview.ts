import { get, type RankedArm, type Summary } from './api.js'
import { fill, h, table, type Child } from './dom.js'
import { armName, int, pct } from './format.js'
import type { Page } from './page.js'

type SortKey = 'task_type' | 'n' | 'pass_rate' | 'lower'
const SORTS: Array<[SortKey, string]> = [['task_type', 'Task type'], ['n', 'Samples'], ['pass_rate', 'Best pass rate'], ['lower', 'Best lower bound']]
type Row = Summary['task_types'][number]

const sortValue = (r: Row, key: SortKey): string | number =>
  key === 'task_type' ? r.task_type : key === 'n' ? -r.n : key === 'pass_rate' ? -(r.hive?.pass_rate ?? -1) : -(r.hive?.wilson_lower ?? -1)

const bestCell = (a: RankedArm | null): Child => a === null ? h('span', { class: 'muted' }, 'none yet') : armName(a)
const taskLink = (t: string): HTMLElement => h('a', { href: `#/task/${encodeURIComponent(t)}` }, t)

/** Every task type with its best arm in both scopes; filter, sort, search (state kept across refreshes). */
export function overviewPage (): Page {
  const state = { search: '', filter: 'all', sort: 'task_type' as SortKey }
  let data: Summary | null = null
  const results = h('div', { 'aria-live': 'polite', class: 'results' })
  const status = h('p', { class: 'status', role: 'status' })

  const render = (): void => {
    if (data === null) return
    const needle = state.search.trim().toLowerCase()
    const rows = data.task_types
      .filter(r => r.task_type.toLowerCase().includes(needle))
      .filter(r => state.filter === 'all' || (state.filter === 'differ' ? r.differ : r.hive === null))
      .sort((a, b) => {
        const [x, y] = [sortValue(a, state.sort), sortValue(b, state.sort)]
        return x < y ? -1 : x > y ? 1 : a.task_type < b.task_type ? -1 : 1
      })
    fill(status, `${rows.length} of ${data.task_types.length} task types · hive scope unless noted · last ${data.window_days} days`)
    fill(results, rows.length === 0
      ? h('p', {}, data.task_types.length === 0 ? 'No outcomes recorded yet. Record some with hivebench record or POST /v1/outcomes.' : 'No task type matches.')
      : table('Best arm per task type', ['Task type', 'Best arm (hive)', 'Pass rate', '95% interval', 'Samples (best arm of all)', 'Origins', 'This node alone'],
        rows.map(r => [
          taskLink(r.task_type),
          bestCell(r.hive),
          pct(r.hive?.pass_rate),
          r.hive === null ? '–' : `${pct(r.hive.wilson_lower)} – ${pct(r.hive.wilson_upper)}`,
          r.hive === null ? int(r.n) : `${int(r.hive.n)} of ${int(r.n)}`,
          r.hive === null ? '–' : String(r.hive.origins),
          r.differ ? h('strong', { class: 'differ' }, r.local === null ? 'no best arm' : armName(r.local)) : r.hive === null ? '–' : 'same best arm'
        ]), { id: 'overview-table' }))
  }

  const control = (label: string, el: HTMLInputElement | HTMLSelectElement): HTMLElement => h('label', {}, h('span', {}, label), el)
  const search = h('input', { type: 'search', id: 'search', autocomplete: 'off', onInput: () => { state.search = search.value; render() } })
  const filter = h('select', { id: 'filter', onChange: () => { state.filter = filter.value; render() } },
    h('option', { value: 'all' }, 'all task types'), h('option', { value: 'differ' }, 'hive and this node differ'), h('option', { value: 'none' }, 'no best arm yet'))
  const sort = h('select', { id: 'sort', onChange: () => { state.sort = sort.value as SortKey; render() } }, SORTS.map(([k, label]) => h('option', { value: k }, label)))

  return {
    title: 'Overview',
    mount: (main) => {
      fill(main, h('h1', {}, 'Task types'),
        h('form', { class: 'controls', role: 'search', onSubmit: (e: Event) => { e.preventDefault() } },
          control('Search task types', search), control('Show', filter), control('Sort by', sort)),
        status, results)
      search.value = state.search
    },
    refresh: async () => {
      data = await get<Summary>('/v1/summary')
      render()
    }
  }
}
