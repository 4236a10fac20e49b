/**
 * Counts REJECTed envelopes per key (a relaying peer, or an authentic origin) with exponential
 * decay, and blocks a key whose count passes the threshold, so a hostile sender stops costing
 * validation work (signature checks, payload decoding). Pure logic: the clock is passed in.
 */
export interface RejectLimiterOptions {
  /** rejects (decayed) after which a key is blocked */
  threshold: number
  /** time for a count to halve */
  halfLifeMs: number
}

export interface RejectLimiter {
  note: (key: string, nowMs: number) => void
  blocked: (key: string, nowMs: number) => boolean
  /** keys blocked now */
  blockedKeys: (nowMs: number) => string[]
}

export const DEFAULT_REJECT_LIMITS: RejectLimiterOptions = { threshold: 20, halfLifeMs: 10 * 60_000 }

export function createRejectLimiter (options: RejectLimiterOptions = DEFAULT_REJECT_LIMITS): RejectLimiter {
  const scores = new Map<string, { value: number, atMs: number }>()
  const decayed = (key: string, nowMs: number): number => {
    const s = scores.get(key)
    if (s === undefined) return 0
    const value = s.value * 0.5 ** ((nowMs - s.atMs) / options.halfLifeMs)
    // forget keys that have decayed to nothing, so the map stays bounded by recent offenders
    if (value < 0.01) scores.delete(key)
    return value
  }
  return {
    note (key, nowMs) {
      scores.set(key, { value: decayed(key, nowMs) + 1, atMs: nowMs })
    },
    blocked: (key, nowMs) => decayed(key, nowMs) >= options.threshold,
    blockedKeys: (nowMs) => [...scores.keys()].filter(k => decayed(k, nowMs) >= options.threshold)
  }
}
