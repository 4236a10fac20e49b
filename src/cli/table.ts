/**
 * A box-drawn text table for the terminal: a header, a rule, the rows. Written here instead of
 * using cli-table3, which spent ~35 ms of CPU on a 50-row ranking (a third of a `hivebench best`).
 * Width counts code points; every label hivebench prints is a single line.
 */
export function textTable (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const width = (s: string): number => [...s].length
  const widths = head.map((h, c) => Math.max(width(h), ...rows.map(r => width(r[c] ?? ''))))
  const line = (cells: readonly string[]): string => '│' + widths.map((w, c) => ` ${cells[c] ?? ''}${' '.repeat(w - width(cells[c] ?? ''))} `).join('│') + '│'
  const rule = (left: string, mid: string, right: string): string => left + widths.map(w => '─'.repeat(w + 2)).join(mid) + right
  return [rule('┌', '┬', '┐'), line(head), rule('├', '┼', '┤'), ...rows.map(line), rule('└', '┴', '┘')].join('\n')
}
