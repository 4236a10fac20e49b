/**
 * Tables for people and for pipes. On a terminal: box-drawn and fitted to its width (the widest
 * column is truncated with `…`, one character at a time, until the table fits). Off a terminal
 * (a pipe, a file, CI): plain columns separated by two spaces, never truncated, no box drawing,
 * so `grep` and `awk` see whole values. Width counts code points (every label is one line).
 */
export interface TableOptions {
  /** default: stdout is a terminal */
  tty?: boolean
  /** default: the terminal's columns, else $COLUMNS, else 100 */
  width?: number
}

const MIN_COLUMN = 4
const len = (s: string): number => [...s].length
const truncate = (s: string, w: number): string => len(s) <= w ? s : [...s].slice(0, Math.max(0, w - 1)).join('') + '…'

export function renderTable (head: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string {
  const tty = options.tty ?? process.stdout.isTTY === true
  const widths = head.map((h, c) => Math.max(len(h), ...rows.map(r => len(r[c] ?? ''))))
  if (!tty) {
    const line = (cells: readonly string[]): string => widths.map((w, c) => (cells[c] ?? '').padEnd(w)).join('  ').trimEnd()
    return [line(head), ...rows.map(line)].join('\n')
  }
  const limit = options.width ?? process.stdout.columns ?? (Number(process.env.COLUMNS) || 100)
  // each column costs its width + 3 (a space either side and a border), plus the last border
  const total = (): number => widths.reduce((sum, w) => sum + w + 3, 1)
  while (total() > limit) {
    const widest = widths.indexOf(Math.max(...widths))
    if (widths[widest] <= MIN_COLUMN) break
    widths[widest]--
  }
  const line = (cells: readonly string[]): string => '│' + widths.map((w, c) => ` ${truncate(cells[c] ?? '', w).padEnd(w)} `).join('│') + '│'
  const rule = (left: string, mid: string, right: string): string => left + widths.map(w => '─'.repeat(w + 2)).join(mid) + right
  return [rule('┌', '┬', '┐'), line(head), rule('├', '┼', '┤'), ...rows.map(line), rule('└', '┴', '┘')].join('\n')
}
