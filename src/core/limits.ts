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
