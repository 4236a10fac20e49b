import { HivebenchError } from '../errors.js'

/**
 * The validation rules of protocol/README.md ("Validation rules"), in the order a receiver
 * applies them (R24, added in revision 1.1, runs between R7 and R8). The first rule that fails decides the verdict: REJECT for malformed, forged or
 * impossible envelopes (gossipsub then penalises the peer that sent it), IGNORE for envelopes
 * that are well-formed but stale, duplicate, of an unknown version, or outside local policy.
 */
export const RULES = {
  R1: { verdict: 'REJECT', summary: 'envelope size within the limit' },
  R2: { verdict: 'REJECT', summary: 'envelope is well-formed msgpack of the allowed subset, an array led by an integer version' },
  R3: { verdict: 'IGNORE', summary: 'known protocol version' },
  R4: { verdict: 'REJECT', summary: 'v1 envelope and body shape' },
  R5: { verdict: 'REJECT', summary: 'known kind' },
  R6: { verdict: 'REJECT', summary: 'header values in range' },
  R7: { verdict: 'REJECT', summary: 'origin is an Ed25519 peer id' },
  R8: { verdict: 'REJECT', summary: 'signature valid for the origin' },
  R9: { verdict: 'IGNORE', summary: 'origin allowed by local policy (allowlist, when set; not forgotten)' },
  R10: { verdict: 'IGNORE', summary: 'created_at not in the future (a clock fault is not provable misbehaviour)' },
  R11: { verdict: 'REJECT', summary: 'payload shape' },
  R12: { verdict: 'REJECT', summary: 'entry count, string table and string indices within bounds' },
  R13: { verdict: 'REJECT', summary: 'task_type and tool non-empty' },
  R14: { verdict: 'REJECT', summary: 'counters are non-negative safe integers, n >= 1' },
  R15: { verdict: 'REJECT', summary: 'outcome class counts sum to n' },
  R16: { verdict: 'REJECT', summary: 'offloaded, n_duration and n_cost at most n' },
  R17: { verdict: 'REJECT', summary: 'histogram well-formed, total equals n_duration' },
  R18: { verdict: 'REJECT', summary: 'sums within what their counts allow' },
  R19: { verdict: 'REJECT', summary: 'days are valid day numbers' },
  R20: { verdict: 'REJECT', summary: 'no duplicate key in one envelope' },
  R21: { verdict: 'IGNORE', summary: 'not every entry older than the retention window' },
  R22: { verdict: 'IGNORE', summary: '(origin, seq) not already stored (checked by the store)' },
  R23: { verdict: 'IGNORE', summary: 'not superseded by a newer complete snapshot (checked by the store)' },
  R24: { verdict: 'REJECT', summary: 'origin key carries the hive\'s identity work (checked after R7, before R8)' },
  R25: { verdict: 'IGNORE', summary: 'origin is not the receiver itself (checked by the store)' },
  R26: { verdict: 'IGNORE', summary: 'a delta not older than the MAX_DELTAS_PER_ORIGIN newest deltas held for its origin (checked by the store)' },
  R27: { verdict: 'IGNORE', summary: 'batch (kind, first seq, parts) agrees with every stored envelope whose batch overlaps it (checked by the store)' },
  R28: { verdict: 'IGNORE', summary: 'no day after today (checked once R11-R20 hold: a fast clock is not provable misbehaviour)' },
  R29: { verdict: 'IGNORE', summary: 'not only new keys of an origin already at MAX_KEYS_PER_ORIGIN (checked by the store)' },
  R30: { verdict: 'IGNORE', summary: 'not only new arms of an origin already at MAX_ARMS_PER_TASK_TYPE in their task types (checked by the store)' }
} as const satisfies Record<string, { verdict: RuleVerdict, summary: string }>

/** What breaking a rule means for the message: REJECT penalises the peer that sent it, IGNORE does not. */
export type RuleVerdict = 'REJECT' | 'IGNORE'
export type RuleId = keyof typeof RULES
/** The rules that carry verdict V, read off the RULES table. */
export type RulesWith<V extends RuleVerdict> = { [R in RuleId]: typeof RULES[R]['verdict'] extends V ? R : never }[RuleId]
/** The stateful rules (what the receiver already stores decides them). */
export type StatefulRule = 'R22' | 'R23' | 'R25' | 'R26' | 'R27' | 'R29' | 'R30'

/**
 * What became of one received envelope, in the words of the RULES table: accepted, or the
 * first rule it broke with that rule's verdict (the type ties each rule to its verdict).
 */
export type Verdict =
  | { verdict: 'accepted', origin: string, seq: number, keysChanged: number }
  | { verdict: 'ignored', rule: RulesWith<'IGNORE'>, reason: string }
  | { verdict: 'rejected', rule: RulesWith<'REJECT'>, reason: string }

/** The verdict a ProtocolError stands for. */
export function verdictOf (err: ProtocolError): Exclude<Verdict, { verdict: 'accepted' }> {
  const rule = err.rule
  return isReject(rule) ? { verdict: 'rejected', rule, reason: err.message } : { verdict: 'ignored', rule, reason: err.message }
}

function isReject (rule: RuleId): rule is RulesWith<'REJECT'> {
  return RULES[rule].verdict === 'REJECT'
}

/** Why an envelope was refused: the rule it broke, the verdict that rule carries, and the field at fault. */
export class ProtocolError extends HivebenchError {
  readonly rule: RuleId
  readonly verdict: RuleVerdict
  readonly field?: string

  constructor (rule: RuleId, detail: string, field?: string, options?: { cause?: unknown }) {
    super('PROTOCOL', `${rule} ${RULES[rule].verdict}: ${field === undefined ? '' : `${field}: `}${detail}`, options)
    this.name = 'ProtocolError'
    this.rule = rule
    this.verdict = RULES[rule].verdict
    this.field = field
  }
}

export function fail (rule: RuleId, detail: string, field?: string): never {
  throw new ProtocolError(rule, detail, field)
}
