import { cells, terminalOf, type Terminal } from './terminal.js'

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
  // a tab or newline inside a cell would break the one-line-per-row, tab-separated contract
  const clean = (s: string | undefined): string => (s ?? '').replace(/[\t\r\n]+/g, ' ')
  const table = [head, ...rows].map(r => head.map((_, c) => clean(r[c])))
  if (!term.tty) return table.map(r => r.join('\t')).join('\n')
  const widthOf = (c: number, r: ReadonlyArray<readonly string[]>): number => Math.max(0, ...r.map(x => cells(x[c])))
  const widths = fitWidths(head.map((_, c) => widthOf(c, [table[0]])), head.map((_, c) => widthOf(c, table.slice(1))), term.width)
  const line = (r: readonly string[]): string => r.map((cell, c) => pad(cut(cell, widths[c], options.keepEnd?.includes(c) === true), widths[c])).join(GAP).trimEnd()
  const [header, ...body] = table
  const bold = (s: string): string => term.color ? `\u001b[1m${s}\u001b[22m` : s
  return [bold(line(header)), ...body.map(line)].join('\n')
}

/**
 * Column widths that fit `width` (with the gaps). First a header longer than its column's values
 * is cut (that loses a label, which the legend and `--help` still explain, not a value); then the
 * widest column narrows, one character at a time.
 */
export function fitWidths (header: readonly number[], values: readonly number[], width: number): number[] {
  const widths = header.map((h, c) => Math.max(h, values[c]))
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1)
  const shrinkWidest = (floor: (c: number) => number): void => {
    while (total() > width) {
      const candidates = widths.map((w, c) => w > floor(c) ? w : -1)
      const widest = candidates.indexOf(Math.max(...candidates))
      if (candidates[widest] < 0) return // as narrow as it gets: the line overflows rather than lose every value
      widths[widest]--
    }
  }
  shrinkWidest(c => Math.max(values[c], MIN_WIDTH))
  shrinkWidest(() => MIN_WIDTH)
  return widths
}

function cut (cell: string, width: number, keepEnd: boolean): string {
  const chars = [...cell]
  if (chars.length <= width) return cell
  return keepEnd ? '…' + chars.slice(chars.length - width + 1).join('') : chars.slice(0, width - 1).join('').trimEnd() + '…'
}

const pad = (cell: string, width: number): string => cell + ' '.repeat(Math.max(0, width - cells(cell)))
