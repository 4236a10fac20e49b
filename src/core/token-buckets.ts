/**
 * Token buckets, one per key (a peer), for rate limits: each holds up to `burst` tokens and
 * refills at `perSecond`; a take that finds too few tokens takes none. At most `maxKeys` buckets
 * are kept: the least recently used is forgotten first (a forgotten bucket starts full again,
 * which is what refilling would have given it anyway unless it was used in the last
 * burst/perSecond seconds).
 */
export interface TokenBuckets {
  /** true and the tokens are taken, or false and nothing is taken */
  take: (key: string, tokens: number, nowMs: number) => boolean
}

export function createTokenBuckets (limits: { perSecond: number, burst: number, maxKeys?: number }): TokenBuckets {
  const maxKeys = limits.maxKeys ?? 4096
  const buckets = new Map<string, { tokens: number, atMs: number }>()
  return {
    take (key, tokens, nowMs) {
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        bucket = { tokens: limits.burst, atMs: nowMs }
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string)
      }
      // re-inserted: Map order is least recently used first
      buckets.delete(key)
      buckets.set(key, bucket)
      bucket.tokens = Math.min(limits.burst, bucket.tokens + Math.max(0, nowMs - bucket.atMs) / 1000 * limits.perSecond)
      bucket.atMs = nowMs
      if (bucket.tokens < tokens) return false
      bucket.tokens -= tokens
      return true
    }
  }
}
