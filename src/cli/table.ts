import { cells, inert, terminalOf, type Terminal } from './terminal.js'

/**
 * The one table renderer of the CLI, shaped like `gh`'s:
 * - on a terminal, aligned columns two spaces apart with a bold header, fitted to the width (see
 *   fitWidths), cut cells ending in an ellipsis; a column never narrows below MIN_WIDTH;
 * - anywhere else (a pipe, a file), one line per row, cells separated by a tab, header first,
 *   nothing truncated, no escape codes: `hivebench best x | awk -F'\t' 'NF > 1 { print $2 }'`.
 * Written here instead of using cli-table3, which spent ~35 ms of CPU on a 50-row ranking (a
 * third of a `hivebench best`).
 */
export interface TableOptions {
  /** columns whose cells keep their end when cut ('…' first): a sparkline's latest days */
  readonly keepEnd?: readonly number[]
}

/** Narrowest a fitted column gets: one character, the ellipsis and a spare, still hints at the value. */
export const MIN_WIDTH = 3
const GAP = '  '

export function textTable (head: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}, term: Terminal = terminalOf()): string {
  // a tab or newline inside a cell would break the one-line-per-row, tab-separated contract; any
  // other control character could drive the terminal (see inert)
  const clean = (s: string | undefined): string => inert((s ?? '').replace(/[\t\r\n]+/g, ' '))
  const cleanRow = (r: readonly string[]): string[] => head.map((_, c) => clean(r[c]))
  const header = cleanRow(head)
  const body = rows.map(cleanRow)
  if (!term.tty) return [header, ...body].map(r => r.join('\t')).join('\n')
  const widest = (c: number): number => Math.max(0, ...body.map(r => cells(r[c] ?? '')))
  const widths = fitWidths(header.map(cells), header.map((_, c) => widest(c)), term.width)
  const line = (r: readonly string[]): string => r.map((cell, c) => {
    const width = widths[c] ?? cells(cell)
    return pad(cut(cell, width, options.keepEnd?.includes(c) === true), width)
  }).join(GAP).trimEnd()
  const bold = (s: string): string => term.color ? `\u001b[1m${s}\u001b[22m` : s
  return [bold(line(header)), ...body.map(line)].join('\n')
}

/**
 * Column widths that fit `width` (with the gaps). First a header longer than its column's values
 * is cut (that loses a label, which the legend and `--help` still explain, not a value); then the
 * widest column narrows, one character at a time.
 */
export function fitWidths (header: readonly number[], values: readonly number[], width: number): number[] {
  const columns = header.map((h, c) => ({ width: Math.max(h, values[c] ?? 0), values: values[c] ?? 0 }))
  const total = (): number => columns.reduce((sum, col) => sum + col.width, 0) + GAP.length * (columns.length - 1)
  const shrinkWidest = (floor: (col: { values: number }) => number): void => {
    while (total() > width) {
      let widest: { width: number } | null = null
      for (const col of columns) if (col.width > floor(col) && col.width > (widest?.width ?? -1)) widest = col
      if (widest === null) return // as narrow as it gets: the line overflows rather than lose every value
      widest.width--
    }
  }
  shrinkWidest(col => Math.max(col.values, MIN_WIDTH))
  shrinkWidest(() => MIN_WIDTH)
  return columns.map(col => col.width)
}

function cut (cell: string, width: number, keepEnd: boolean): string {
  const chars = [...cell]
  if (chars.length <= width) return cell
  return keepEnd ? '…' + chars.slice(chars.length - width + 1).join('') : chars.slice(0, width - 1).join('').trimEnd() + '…'
}

const pad = (cell: string, width: number): string => cell + ' '.repeat(Math.max(0, width - cells(cell)))
