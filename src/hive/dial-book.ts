import type { Logger } from 'pino'
import type { DialFailure } from '../network/index.js'

/** One bootstrap address as /v1/status shows it (the dashboard's peers page renders this shape). */
export interface BootstrapDial {
  address: string
  /** the last dial's failure in words; null when it connected (or no dial finished yet) */
  last_dial_error: string | null
  /** the failure's class: refused, timed_out, wrong_hive_key, different_hive, wrong_peer, unreachable, other */
  cause: string | null
  connected: boolean
  last_dial_at: string | null
}

/**
 * ok: some peer of this hive connected and every bootstrap address reached; alone: no peer of
 * this hive (on its gossip topic) connected; degraded: connected, but some bootstrap address fails.
 */
export type Health = 'ok' | 'alone' | 'degraded'

export function healthOf (hivePeers: number, bootstrap: BootstrapDial[]): Health {
  if (hivePeers === 0) return 'alone'
  return bootstrap.some(b => !b.connected && b.last_dial_error !== null) ? 'degraded' : 'ok'
}

export interface DialBook {
  /** the network's onBootstrapDial: remembers the outcome, warns once per address and cause */
  record: (address: string, error: Error | null) => void
  list: (connectedPeers: Set<string>) => BootstrapDial[]
}

/**
 * What the bootstrap dials said. A failing peer is redialled every 30 s: the warning is logged
 * once per address and cause (again only when the cause changes or after a success), not per retry.
 */
export function createDialBook (options: { bootstrap: string[], logger: Logger, describe: (err: Error) => DialFailure }): DialBook {
  const book = new Map<string, { failure: DialFailure | null, at: number | null }>(options.bootstrap.map(a => [a, { failure: null, at: null }]))
  const warned = new Set<string>()
  return {
    record (address, error) {
      const failure = error === null ? null : options.describe(error)
      book.set(address, { failure, at: Date.now() })
      if (failure === null) {
        for (const key of warned) if (key.startsWith(`${address} `)) warned.delete(key)
        return
      }
      const key = `${address} ${failure.cause}`
      if (warned.has(key)) return
      warned.add(key)
      options.logger.warn({ address, cause: failure.cause, err: error?.message }, `cannot reach bootstrap peer ${address}: ${failure.reason}`)
    },
    list (connectedPeers) {
      return [...book].map(([address, b]) => {
        const peer = address.split('/p2p/').pop() ?? ''
        const connected = connectedPeers.has(peer)
        // a different hive connects fine at the transport level: it stays an error while connected
        const stale = connected && b.failure?.cause !== 'different_hive'
        return {
          address,
          last_dial_error: stale ? null : b.failure?.reason ?? null,
          cause: stale ? null : b.failure?.cause ?? null,
          connected,
          last_dial_at: b.at === null ? null : new Date(b.at).toISOString()
        }
      })
    }
  }
}
