import type { Logger } from 'pino'
import { isoDay } from '../core/time.js'
import type { Store } from '../store/index.js'

/** How often the daemon runs the store's maintenance step (retention pruning, window roll). */
export const MAINTENANCE_INTERVAL_MS = 60 * 60_000

export interface Maintenance {
  /** runs once now, then every interval */
  start: () => void
  stop: () => void
}

/**
 * The daemon's explicit maintenance step (store/retention.ts): nothing else prunes. When the
 * wall clock is ahead of what the pruning day may follow (a jump, or the days a node was off),
 * it says so once per distinct gap rather than every hour.
 */
export function createMaintenance (options: { store: Store, logger: Logger, intervalMs?: number, now?: () => number }): Maintenance {
  const now = options.now ?? Date.now
  let timer: NodeJS.Timeout | undefined
  let warnedGap = 0
  const run = (): void => {
    try {
      const report = options.store.maintain(now())
      if (report.heldBackDays > 1 && report.heldBackDays !== warnedGap) {
        options.logger.warn({ today: isoDay(report.today), pruningDay: isoDay(report.pruningDay), heldBackDays: report.heldBackDays },
          'the clock is ahead of the days this node has seen pass: retention pruning follows it at most one day per real day (a clock jump loses no data; check the system clock if this persists)')
      }
      warnedGap = report.heldBackDays
    } catch (err) {
      options.logger.error({ err }, 'maintenance failed')
    }
  }
  return {
    start () {
      if (timer !== undefined) return
      run()
      timer = setInterval(run, options.intervalMs ?? MAINTENANCE_INTERVAL_MS)
      timer.unref()
    },
    stop () {
      clearInterval(timer)
      timer = undefined
    }
  }
}
