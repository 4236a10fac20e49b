import type { OutcomeInput } from '../core/outcome.js'
import type { RecordResult } from '../core/types.js'
import { HivebenchError } from '../errors.js'
import type { StoreTracker } from '../tracker.js'
import { callDaemon } from './daemon-client.js'
import { withTracker } from './common.js'

export interface Recorded extends RecordResult {
  /** 'daemon' (its HTTP API) or 'embedded' (this process wrote the database) */
  via: 'daemon' | 'embedded'
  /** one phrase for a summary line: how it was recorded, and why that way */
  summary: string
}

/**
 * Records one outcome through the running daemon of the data dir (its HTTP API: its metrics and
 * group commit see it), else embedded. An outcome is never lost to a daemon that is gone or does
 * not answer: it is then written embedded. Give it an id: if the daemon stored it but its answer
 * was lost, the embedded retry counts once.
 */
export async function recordOutcome (dataDir: string | undefined, input: OutcomeInput, openTracker?: () => StoreTracker): Promise<Recorded> {
  let fallback = 'no daemon running'
  try {
    const r = await callDaemon(dataDir, 'POST', '/v1/outcomes', input) as RecordResult
    return { ...r, via: 'daemon', summary: `${r.recorded === 1 ? 'recorded' : 'already recorded (same id)'} through the daemon` }
  } catch (err) {
    if (!(err instanceof HivebenchError) || (err.code !== 'NO_DAEMON' && err.code !== 'DAEMON_UNREACHABLE')) throw err
    if (err.code === 'DAEMON_UNREACHABLE') fallback = err.message
  }
  // a caller's open tracker (the MCP server keeps one), else one opened for this outcome
  const r = openTracker === undefined ? await withTracker({ dataDir }, t => t.record(input)) : openTracker().record(input)
  return { ...r, via: 'embedded', summary: `${r.recorded === 1 ? 'recorded' : 'already recorded (same id)'} embedded (${fallback})` }
}
