import type { Logger } from 'pino'

/**
 * Gossip arrivals at info without a line per message: per peer, the envelopes received in the
 * last period by verdict, one line per peer per period (and none for a quiet period).
 */
export function createArrivalSummary (logger: Logger, periodMs = 60_000): { count: (peer: string, verdict: string) => void, stop: () => void } {
  let counts = new Map<string, Record<string, number>>()
  const timer = setInterval(() => {
    const period = counts
    counts = new Map()
    for (const [peer, verdicts] of period) logger.info({ peer, ...verdicts, period_s: Math.round(periodMs / 1000) }, 'gossip received')
  }, periodMs)
  timer.unref()
  return {
    count (peer, verdict) {
      const c = counts.get(peer) ?? {}
      c[verdict] = (c[verdict] ?? 0) + 1
      counts.set(peer, c)
    },
    stop () { clearInterval(timer) }
  }
}
