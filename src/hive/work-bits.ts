import { DEFAULT_ID_WORK_BITS } from '../core/limits.js'
import { ValidationError } from '../errors.js'

/** The environment variable that sets the hive's identity work (R24) when no option does. */
export const WORK_BITS_ENV = 'HIVEBENCH_ID_WORK_BITS'
/** Above this, minting takes days: surely a typo. */
export const MAX_WORK_BITS = 32

/**
 * The hive's identity work in bits: the explicit option (`--id-work-bits`), else
 * $HIVEBENCH_ID_WORK_BITS, else DEFAULT_ID_WORK_BITS. Every node of a hive must use the same
 * value; 0 turns the rule off (a hive of pre-1.1 identities, tests).
 */
export function resolveWorkBits (explicit?: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = explicit ?? (env[WORK_BITS_ENV] === undefined || env[WORK_BITS_ENV] === '' ? DEFAULT_ID_WORK_BITS : Number(env[WORK_BITS_ENV]))
  if (!Number.isInteger(raw) || raw < 0 || raw > MAX_WORK_BITS) {
    throw new ValidationError(explicit === undefined ? WORK_BITS_ENV : 'id_work_bits', 'range', `must be an integer from 0 to ${MAX_WORK_BITS}`)
  }
  return raw
}

/** The one line that tells the owner of a key without the hive's work (made before R24) what to run. */
export const mintHint = (work: number, bits: number): string =>
  `warning: this node's identity carries ${work} bits of work; peers requiring ${bits} (R24) refuse its envelopes: stop the node and run \`hivebench id --mint\``
