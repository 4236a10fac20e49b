/**
 * "Did you mean": the known names closest to a name that matched nothing, as `git` and `npm`
 * suggest a command. Names are compared folded (case and the separators `_ - . space`
 * ignored), so `bugfix`, `Bug-Fix` and `bug_fix` are one name; then by edit distance.
 */
const fold = (name: string): string => name.toLowerCase().replace(/[\s_.-]+/g, '')

/** Levenshtein distance (insert, delete, substitute: 1 each). */
export function editDistance (a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      // biome-ignore lint/style/noNonNullAssertion: 1 <= j <= b.length, and prev and row[..j-1] hold b.length + 1 cells
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  // biome-ignore lint/style/noNonNullAssertion: prev holds b.length + 1 cells
  return prev[b.length]!
}

/**
 * Up to `limit` known names within a third of the name's length in edits (at least 2), or
 * containing it / contained in it, closest first (ties by name).
 */
export function closestNames (name: string, known: Iterable<string>, limit = 3): string[] {
  const target = fold(name)
  const maxEdits = Math.max(2, Math.floor(target.length / 3))
  const scored: Array<{ name: string, d: number }> = []
  for (const candidate of known) {
    const c = fold(candidate)
    const d = editDistance(target, c)
    if (d <= maxEdits || (target.length >= 3 && (c.includes(target) || target.includes(c)))) scored.push({ name: candidate, d })
  }
  return scored.sort((x, y) => x.d - y.d || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)).slice(0, limit).map(s => s.name)
}
