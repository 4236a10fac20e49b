/**
 * Why a dial failed, in words a user acts on. libp2p wraps socket errors (AggregateError of
 * per-address attempts, `cause` chains), so the whole chain is searched for the telling code.
 */
export type DialCause = 'refused' | 'timed_out' | 'wrong_hive_key' | 'different_hive' | 'wrong_peer' | 'unreachable' | 'other'

export interface DialFailure {
  cause: DialCause
  /** one line for a person: what happened and what to check */
  reason: string
}

function * chain (err: unknown, depth = 0): Generator<{ code?: unknown, name?: unknown, message?: unknown }> {
  if (err === null || typeof err !== 'object' || depth > 6) return
  const e = err as { code?: unknown, name?: unknown, message?: unknown, cause?: unknown, errors?: unknown }
  yield e
  yield * chain(e.cause, depth + 1)
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield * chain(inner, depth + 1)
}

const matches = (err: unknown, test: (e: { code?: unknown, name?: unknown, message?: unknown }) => boolean): boolean => {
  for (const e of chain(err)) if (test(e)) return true
  return false
}

/**
 * `privateNetwork`: whether this node uses a hive key. With a mismatched pre-shared key (on
 * either side) the handshake reads garbage and never completes, so it surfaces as a timeout
 * after TCP connected, or as the peer hanging up once its own handshake timeout fires: with a key
 * configured, both are reported as a key mismatch.
 */
export function dialFailure (err: unknown, privateNetwork: boolean): DialFailure {
  const text = (e: { message?: unknown }): string => typeof e.message === 'string' ? e.message : ''
  if (matches(err, e => e.code === 'DIFFERENT_HIVE')) {
    return { cause: 'different_hive', reason: `different hive: ${[...chain(err)].map(text).find(m => m !== '') ?? ''} (check --hive on both nodes)` }
  }
  if (matches(err, e => e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text(e)))) {
    return { cause: 'refused', reason: 'connection refused: nothing listens at that address (is the peer running? right port?)' }
  }
  if (matches(err, e => e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' || /EHOSTUNREACH|ENETUNREACH/.test(text(e)))) {
    return { cause: 'unreachable', reason: 'host unreachable: no route to that address' }
  }
  if (matches(err, e => e.name === 'UnexpectedPeerError' || /unexpected peer|peer id .*mismatch/i.test(text(e)))) {
    return { cause: 'wrong_peer', reason: 'another node answers at that address (its peer id is not the one in /p2p/...)' }
  }
  if (matches(err, e => /unexpected end of input|stream ended|ECONNRESET|EPIPE/i.test(text(e)) || e.code === 'ECONNRESET')) {
    return privateNetwork
      ? { cause: 'wrong_hive_key', reason: 'the peer hung up during the handshake: wrong private-network key (--hive-key differs on the two nodes)' }
      : { cause: 'other', reason: 'the peer hung up during the handshake (does it use a --hive-key this node lacks?)' }
  }
  if (matches(err, e => e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ETIMEDOUT' || /timed? ?out|aborted/i.test(text(e)))) {
    return privateNetwork
      ? { cause: 'wrong_hive_key', reason: 'timed out during the handshake: wrong private-network key (--hive-key differs on the two nodes), or the peer is unreachable' }
      : { cause: 'timed_out', reason: 'timed out: the peer did not answer (firewall? or the peer uses a --hive-key this node lacks)' }
  }
  const first = [...chain(err)].map(text).find(m => m !== '') ?? String(err)
  return { cause: 'other', reason: first }
}
