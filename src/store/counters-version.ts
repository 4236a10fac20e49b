import type { Db } from './db.js'
import { META } from './schema.js'

/**
 * A number in `meta` that grows with every committed transaction that changed what the answers
 * show: counters (a local record, a merge that grew a key, a forgotten origin) or baselines. An
 * export, a duplicate envelope or a sync round leaves it as it was, so a dashboard polling it
 * refetches only when there is something new to draw. Kept in the database, not in memory, so a
 * `hivebench record` from another process moves it too.
 */
export interface CountersVersion {
  /** call inside the write transaction that changed counters or baselines */
  bump: () => void
  read: () => number
}

export function createCountersVersion (db: Db): CountersVersion {
  const bump = db.prepare(`INSERT INTO meta (key, value) VALUES ('${META.countersVersion}', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1`)
  const read = db.prepare<[], { value: number }>(`SELECT value FROM meta WHERE key = '${META.countersVersion}'`)
  return {
    bump: () => { bump.run() },
    read: () => read.get()?.value ?? 0
  }
}
