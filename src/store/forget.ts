import type { Db } from './db.js'
import { writeTransaction } from './db.js'
import { createCountersVersion } from './counters-version.js'

/**
 * Purges one peer origin from the store: its day counters, its window rollup rows, its stored
 * envelopes (so sync no longer serves them) and its origin row. The rollup is rebuilt on the
 * next query (its window start is cleared). Returns false when the origin is not stored.
 */
export function createForget (db: Db): (peerId: string) => boolean {
  const find = db.prepare<[string], { id: number }>('SELECT id FROM origins WHERE peer_id = ? AND id > 0')
  const statements = ['DELETE FROM counters WHERE origin = ?', 'DELETE FROM envelopes WHERE origin = ?', 'DELETE FROM origins WHERE id = ?'].map(sql => db.prepare<[number]>(sql))
  const clearRollup = db.prepare('DELETE FROM arm_window')
  const staleWindow = db.prepare("DELETE FROM meta WHERE key = 'window_start_day'")
  const version = createCountersVersion(db)
  return writeTransaction(db, (peerId: string) => {
    const row = find.get(peerId)
    if (row === undefined) return false
    for (const s of statements) s.run(row.id)
    clearRollup.run()
    staleWindow.run()
    version.bump()
    return true
  })
}
