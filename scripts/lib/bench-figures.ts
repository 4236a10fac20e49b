/**
 * Reads the figures out of what `bench:delta` and `bench:store` print, so that two builds of
 * the same benchmark (an old commit and this one) can be compared figure by figure. Both
 * print through cli-table3 (rows `│ a │ b │ ... │`) and bench:store also prints `label: N
 * outcomes/s` lines; the parsers rely on nothing else, so they read any commit since the
 * table layout was set (7f7f199 and later print the same shape).
 */

export type Better = 'higher' | 'lower' | 'neither'

export interface Figure {
  name: string
  value: number
  better: Better
}

const number = (text: string): number | null => {
  const match = /-?[\d,]*\.?\d+/.exec(text)
  return match === null ? null : Number(match[0].replaceAll(',', ''))
}

/** The cells of every table row (header and borders excluded). */
function tableRows (out: string): string[][] {
  return out.split('\n')
    .filter(line => line.startsWith('│'))
    // one space of padding on the left; the indent after it marks bench:delta's figures under a section
    .map(line => line.split('│').slice(1, -1).map(cell => cell.slice(1).trimEnd()))
}

const betterOf = (name: string): Better =>
  /\/s\b/.test(name) ? 'higher' : /bytes|\bms\b/.test(name) ? 'lower' : 'neither'

/**
 * bench:delta's table: a section row (`<section>: entries (keys)`), then indented rows whose
 * figure is named under that section. A value `a / b` under a label `x: p / q` gives two
 * figures, `x, p` and `x, q`.
 */
export function deltaFigures (out: string): Figure[] {
  const figures: Figure[] = []
  let section = ''
  for (const [label = '', value = ''] of tableRows(out)) {
    if (label === 'figure') continue
    let name = label
    const sectionMatch = /^(\S[^:]*): (.*)$/.exec(label)
    if (sectionMatch !== null) {
      const [, head = '', rest = ''] = sectionMatch
      section = head.replace(/\s*\(.*\)$/, '')
      name = rest
    }
    const values = value.split(' / ')
    const [what, parts] = name.includes(': ') ? name.split(': ', 2) as [string, string] : [name, '']
    const names = values.length > 1 ? parts.split(' / ').map(p => `${what}, ${p}`) : [name]
    values.forEach((v, i) => {
      const parsed = number(v)
      const figure = names[i]
      if (parsed === null || figure === undefined) return
      figures.push({ name: `${section}: ${figure.trim()}`, value: parsed, better: betterOf(figure) })
    })
  }
  return figures
}

/** The p50 / p99 columns of bench:store's latency table, per size; the speed-up column is derived, so left out. */
const STORE_COLUMNS = ['best() p50 ms', 'best() p99 ms', 'cached p50 ms', 'cached p99 ms', 'GROUP BY p50 ms', 'GROUP BY p99 ms']

/** The label without its (explanations), nested ones included. */
function withoutParentheses (label: string): string {
  let shorter = label
  for (let before = ''; before !== shorter;) {
    before = shorter
    shorter = shorter.replace(/\s*\([^()]*\)/g, '')
  }
  return shorter
}

/** bench:store: its `label: N outcomes/s` lines (parentheses dropped from the label) and its latency table. */
export function storeFigures (out: string): Figure[] {
  const figures: Figure[] = []
  for (const line of out.split('\n')) {
    const match = /^\s*([^│]+):\s+([\d,.]+) outcomes\/s/.exec(line)
    if (match === null) continue
    const [, label = '', value = ''] = match
    const parsed = number(value)
    if (parsed !== null) figures.push({ name: `${withoutParentheses(label)}, outcomes/s`, value: parsed, better: 'higher' })
  }
  const [head, ...rows] = tableRows(out)
  if (head === undefined) return figures
  for (const row of rows) {
    const size = row[0] ?? ''
    for (const column of STORE_COLUMNS) {
      const parsed = number(row[head.indexOf(column)] ?? '')
      if (parsed !== null) figures.push({ name: `${column} at ${size} outcomes`, value: parsed, better: 'lower' })
    }
  }
  return figures
}
