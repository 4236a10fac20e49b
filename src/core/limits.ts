/** Bounds of an outcome (README.md, "Recording outcomes") and the ranking defaults ("How the ranking works"), in one place. */
export const MAX_LABEL_CHARS = 128
export const MAX_ID_CHARS = 256
export const MAX_DURATION_S = 7 * 86_400
/** A sanity bound so fixed-point cost sums stay exact safe integers (see README.md, "Choices where the design brief is silent"). */
export const MAX_COST_USD = 1_000_000
export const CLOCK_SKEW_MS = 5 * 60_000
export const DEFAULT_RETENTION_DAYS = 90
export const DEFAULT_WINDOW_DAYS = 30
export const DEFAULT_MIN_SAMPLES = 5
export const DEFAULT_ORIGIN_CAP = 100
/** arms an answer lists unless more are asked for (`limit`): one origin adding thousands of arms must not bloat every answer */
export const DEFAULT_ANSWER_ARMS = 50
/** hive ranking defences (core/ranking.ts, protocol/THREAT-MODEL.md "Ranking"); chosen by `npm run eval:poison` */
export const DEFAULT_MEDIAN_CAP_FACTOR = 2
export const DEFAULT_MIN_ORIGINS = 2
export const DEFAULT_LEAVE_OUT = 1
/** days after which an origin this node first saw counts on its own rather than in the pool of new origins (seniority) */
export const DEFAULT_SENIORITY_DAYS = 7
/** origins first seen within this long of this node's first peer origin are its founders, never new */
export const SENIORITY_GRACE_MS = 3_600_000
/**
 * R24 identity work (protocol/identity-work.ts): leading zero bits of SHA-256(origin key), a hive
 * parameter. 16 bits: about 65,536 Ed25519 key generations, seconds per identity (README, "Trust").
 */
export const DEFAULT_ID_WORK_BITS = 16
