import Table from 'cli-table3'

/** A right-aligned console table without colours or rules between rows: readable when piped to a file. */
export function plainTable (head: string[]): InstanceType<typeof Table> {
  return new Table({
    head,
    colAligns: head.map(() => 'right' as const),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }
  })
}
