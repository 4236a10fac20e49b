import { pino, type Logger } from 'pino'

/** Log bytes held in memory while stdout cannot be written (a full disk); beyond, lines are dropped. */
const MAX_PENDING_LOG_BYTES = 1024 * 1024

/**
 * The daemon's logger: JSON lines on stdout, like pino's default, except that a write error
 * (ENOSPC when stdout goes to a file on a full disk, EIO, ...) never takes the node down:
 * pino's default destination re-throws it as an uncaught error. Lines that cannot be written
 * wait in a bounded buffer and go out once the disk has room; past the bound they are dropped.
 */
export function createDaemonLogger (name = 'hivebench'): Logger {
  const destination = pino.destination({ dest: 1, sync: true, maxLength: MAX_PENDING_LOG_BYTES })
  // EPIPE (nobody reads stdout any more) and ENOSPC alike: keep running, keep the API answering
  destination.on('error', () => {})
  return pino({ name }, destination)
}
