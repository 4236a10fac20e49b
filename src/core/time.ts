export const DAY_MS = 86_400_000

/** UTC day number (days since 1970-01-01) of an epoch-millisecond timestamp. */
export function dayOf (atMs: number): number {
  return Math.floor(atMs / DAY_MS)
}

/** ISO date (YYYY-MM-DD) of a UTC day number, for display. */
export function isoDay (day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** First day inside a window of `days` UTC days ending today (today included). */
export function windowStartDay (nowMs: number, days: number): number {
  return dayOf(nowMs) - days + 1
}
