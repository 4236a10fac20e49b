import { createTokenBuckets } from '../core/token-buckets.js'

/**
 * Admission of new origins, per relaying peer. Every envelope of an origin this node does not
 * know yet costs a signature check, a merge and a row kept for good, and is relayed to the whole
 * mesh once accepted: one connection delivered 6,000 fresh origins in 12 s, all accepted and
 * relayed. So each peer may introduce new origins at a bounded rate (a token bucket) and at most
 * so many while this node runs; beyond that their envelopes are dropped unread, without
 * penalty (a relay of a hive that really is growing is not misbehaving: the origins come again
 * by the next sync). Origins already known are never limited. Sync answers are not admitted
 * here: they are bounded per exchange (protocol/THREAT-MODEL.md says what that leaves open).
 */
export interface AdmissionLimits {
  /** new origins per second one peer may introduce, sustained */
  perSecond: number
  /** new origins one peer may introduce at once (the bucket's size) */
  burst: number
  /** new origins one peer may introduce while this node runs */
  maxPerPeer: number
}

export const DEFAULT_ADMISSION: AdmissionLimits = { perSecond: 10, burst: 500, maxPerPeer: 20_000 }

/** Peers remembered; the least recently seen is forgotten first (its bucket refills anyway). */
const MAX_PEERS = 4096

export interface OriginAdmission {
  /** true: go on validating; false: a new origin over this peer's allowance, drop it */
  admit: (origin: string, fromPeer: string, nowMs: number) => boolean
  /** new origins refused so far, for status and metrics */
  refused: () => number
}

export function createOriginAdmission (isKnown: (origin: string) => boolean, limits: AdmissionLimits = DEFAULT_ADMISSION): OriginAdmission {
  const buckets = createTokenBuckets({ perSecond: limits.perSecond, burst: limits.burst, maxKeys: MAX_PEERS })
  const introduced = new Map<string, number>()
  let refused = 0
  return {
    admit (origin, fromPeer, nowMs) {
      if (isKnown(origin)) return true
      const before = introduced.get(fromPeer) ?? 0
      if (before >= limits.maxPerPeer || !buckets.take(fromPeer, 1, nowMs)) {
        refused++
        return false
      }
      if (!introduced.has(fromPeer) && introduced.size >= MAX_PEERS) introduced.delete(introduced.keys().next().value as string)
      introduced.set(fromPeer, before + 1)
      return true
    },
    refused: () => refused
  }
}

/**
 * Runs receive work in slices of at most `sliceMs`, one slice per turn of the event loop, so
 * HTTP requests, heartbeats and timers always get their turn. gossipsub validates the messages
 * of a burst concurrently: a plain "yield now and then" let thousands of pending validations
 * resume in one turn (a 5-8 s stall under a flood); a FIFO drained one slice per turn does not.
 * Past `maxQueued` waiting tasks, `run` answers `overloaded` at once instead of queueing.
 */
export function createSlicedQueue (sliceMs: number, maxQueued: number): <T>(task: () => T, overloaded: T) => Promise<T> {
  const queue: Array<() => void> = []
  let pumping = false
  const pump = (): void => {
    const sliceEnd = performance.now() + sliceMs
    while (queue.length > 0 && performance.now() < sliceEnd) (queue.shift() as () => void)()
    if (queue.length > 0) setImmediate(pump)
    else pumping = false
  }
  return async <T>(task: () => T, overloaded: T): Promise<T> => {
    if (queue.length >= maxQueued) return overloaded
    return await new Promise<T>((resolve, reject) => {
      queue.push(() => {
        try {
          resolve(task())
        } catch (err) {
          reject(err)
        }
      })
      if (!pumping) {
        pumping = true
        setImmediate(pump)
      }
    })
  }
}
