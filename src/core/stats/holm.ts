/**
 * Holm–Bonferroni step-down adjustment (Holm 1979). Rejecting every hypothesis whose adjusted
 * p-value is below alpha keeps the family-wise error rate (the chance of even one false
 * rejection among the m) at most alpha, under any dependence between the tests: the rows of a
 * gate share data (the `overall` row pools the others), so no independence is assumed.
 *
 * adjusted p_(i) = max over j <= i of min(1, (m - j + 1) * p_(j)), with p_(1) <= ... <= p_(m).
 * Inputs may be null (a test that could not run): it keeps null and does not count in m.
 */
export function holmAdjust<const P extends ReadonlyArray<number | null>> (pValues: P): { -readonly [K in keyof P]: number | null } {
  const order = pValues.map((p, i) => ({ p, i })).filter((e): e is { p: number, i: number } => e.p !== null).sort((a, b) => a.p - b.p)
  const m = order.length
  const out: Array<number | null> = pValues.map(() => null) // position for position with pValues
  let running = 0
  order.forEach((e, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * e.p))
    out[e.i] = running
  })
  return out as { -readonly [K in keyof P]: number | null }
}
