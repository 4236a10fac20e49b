/**
 * Indexing for the scripts' own lists (nodes, rounds, messages: indices the script made itself),
 * so that a wrong index fails loudly and names what was missing instead of reading undefined.
 */

/** list[i], or a RangeError naming `what` when i is outside the list. */
export function at<T> (list: ArrayLike<T>, i: number, what = 'item'): T {
  const x = list[i]
  if (x === undefined) throw new RangeError(`no ${what} ${i} (of ${list.length})`)
  return x
}

/** The pairs [a[i], b[i]] of two lists of the same length (a RangeError otherwise). */
export function zip<A, B> (a: readonly A[], b: readonly B[]): Array<[A, B]> {
  if (a.length !== b.length) throw new RangeError(`zip of lists of ${a.length} and ${b.length} items`)
  return a.map((x, i) => [x, at(b, i)])
}
