import { beforeAll, describe, expect, it } from 'vitest'
import { BUCKET_COUNT } from '../../src/core/histogram.js'
import { DAY_MS } from '../../src/core/time.js'
import {
  encodeEnvelope, pack, payloadWire, ProtocolError, RULES, validateEnvelope,
  type RuleId, type ValidationContext, type WireValue
} from '../../src/protocol/index.js'
import { craft, NOW_MS, seedKey, simulatedEntry, seededRandom, TODAY } from './helpers.js'
import type { CounterEntry } from '../../src/core/types.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'

const ctx: ValidationContext = { nowMs: NOW_MS, retentionDays: 90 }
let alice: Ed25519PrivateKey
let mallory: Ed25519PrivateKey
let base: CounterEntry

beforeAll(async () => {
  alice = await seedKey(1)
  mallory = await seedKey(2)
  base = simulatedEntry(seededRandom(1), { taskType: 'bug_fix', tool: 'aider', model: 'gpt-5', day: TODAY }, 12, 30)
})

function refusal (bytes: Uint8Array, context: ValidationContext = ctx): ProtocolError {
  try {
    validateEnvelope(bytes, context)
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError)
    return err as ProtocolError
  }
  throw new Error('accepted')
}

function expectRule (bytes: Uint8Array, rule: RuleId, field?: string, context: ValidationContext = ctx): void {
  const err = refusal(bytes, context)
  expect({ rule: err.rule, verdict: err.verdict }).toEqual({ rule, verdict: RULES[rule].verdict })
  expect(err.message).toContain(rule)
  if (field !== undefined) expect(err.field).toBe(field)
}

const entry = (over: Partial<CounterEntry>): CounterEntry => ({ ...base, ...over })
/** The payload of `entries` with the first entry's wire integers rewritten. */
function payloadWith (edit: (row: WireValue[]) => void, entries: CounterEntry[] = [base]): WireValue {
  const wire = payloadWire(entries) as [number, string[], WireValue[][]]
  edit(wire[2][0])
  return wire
}
const sign = (spec: Omit<Parameters<typeof craft>[0], 'signer'>): Uint8Array => craft({ signer: alice, ...spec })

describe('the envelope is accepted when valid', () => {
  it('accepts a delta and a snapshot', () => {
    for (const kind of ['delta', 'snapshot'] as const) {
      const valid = validateEnvelope(encodeEnvelope({ seq: 5, kind, createdAtMs: NOW_MS, entries: [base] }, alice), ctx)
      expect(valid.entries).toEqual([base])
      expect(valid.kind).toBe(kind)
    }
  })
})

describe('size and structure (R1-R6)', () => {
  it('R1: refuses an oversize envelope before decoding it', () => {
    expectRule(new Uint8Array(200).fill(0xc1), 'R1', 'envelope', { ...ctx, limits: { maxBytes: 100 } })
  })

  it('R2: refuses bytes that are not the msgpack subset', () => {
    for (const hex of ['', 'c1', '80', 'c0', '93cb3ff000000000000000c4', '9301c400c400ff', 'a1', 'd40000', '91a178']) {
      expectRule(Buffer.from(hex, 'hex'), 'R2')
    }
    const deep = pack([1, [[1]], new Uint8Array(64)] as WireValue)
    expectRule(deep, 'R2')
  })

  it('R3: ignores versions it does not speak', () => {
    expectRule(sign({ entries: [base], outer: f => [2, ...f.slice(1)] }), 'R3', 'version')
  })

  it('R4: refuses a v1 envelope or body of the wrong shape', () => {
    expectRule(sign({ outer: f => f.slice(0, 2) }), 'R4')
    expectRule(sign({ outer: f => [f[0], 'body', f[2]] }), 'R4')
    expectRule(sign({ body: f => f.slice(0, 6) }), 'R4', 'body')
    expectRule(sign({ seq: 'one' }), 'R4', 'body')
    expectRule(sign({ body: f => [...f.slice(0, 6), 'payload'] }), 'R4', 'payload')
  })

  it('R5: refuses an unknown kind', () => {
    expectRule(sign({ kind: 2 }), 'R5', 'kind')
  })

  it('R6: refuses header values out of range', () => {
    expectRule(sign({ seq: 0 }), 'R6', 'seq')
    expectRule(sign({ seq: 2 ** 53 }), 'R6', 'seq')
    expectRule(sign({ createdAtMs: -1 }), 'R6', 'created_at_ms')
    expectRule(sign({ parts: 0, part: 0 }), 'R6', 'parts')
    expectRule(sign({ part: 2, parts: 2, seq: 5 }), 'R6', 'part')
    expectRule(sign({ part: 3, parts: 4, seq: 3 }), 'R6', 'part')
  })
})

describe('authenticity and policy (R7-R10)', () => {
  it('R7: refuses an origin that is not an Ed25519 peer id', () => {
    expectRule(sign({ originBytes: new Uint8Array(38) }), 'R7', 'origin')
    expectRule(sign({ originBytes: new Uint8Array(12) }), 'R7', 'origin')
  })

  it('R7: refuses small-order keys, whose signatures anyone can forge', () => {
    const prefix = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20]
    const y8 = Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex')
    const p = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex')
    for (const key of [new Uint8Array(32), Uint8Array.from([1, ...new Uint8Array(31)]), y8, p]) {
      // the all-zero signature is the forgery that an all-zero key accepts
      const forged = sign({ originBytes: Uint8Array.from([...prefix, ...key]), outer: f => [f[0], f[1], new Uint8Array(64)] })
      expectRule(forged, 'R7', 'origin')
    }
  })

  it('R8: refuses a forged payload (one flipped byte)', () => {
    const bytes = encodeEnvelope({ seq: 1, kind: 'delta', createdAtMs: NOW_MS, entries: [base] }, alice)
    // the last payload byte sits just before the 66-byte signature (bin8 header + 64)
    const forged = Uint8Array.from(bytes)
    forged[forged.length - 67] ^= 0x01
    expectRule(forged, 'R8', 'signature')
  })

  it('R8: refuses an envelope claiming one origin but signed by another key', () => {
    const aliceOrigin = alice.publicKey.toMultihash().bytes
    expectRule(craft({ signer: mallory, originBytes: aliceOrigin, entries: [base] }), 'R8', 'signature')
  })

  it('R8: refuses a truncated signature', () => {
    expectRule(sign({ outer: f => [f[0], f[1], (f[2] as Uint8Array).subarray(0, 63)] }), 'R8', 'signature')
  })

  it('R9: ignores origins outside the allowlist, after checking the signature', () => {
    const bytes = sign({ entries: [base] })
    const aliceId = validateEnvelope(bytes, ctx).origin
    expectRule(bytes, 'R9', 'origin', { ...ctx, allowlist: new Set(['12D3KooWSomebodyElse']) })
    expect(validateEnvelope(bytes, { ...ctx, allowlist: new Set([aliceId]) }).origin).toBe(aliceId)
  })

  it('R10: ignores (no penalty) a creation time beyond the clock skew', () => {
    expectRule(sign({ createdAtMs: NOW_MS + 6 * 60_000 }), 'R10', 'created_at_ms')
    expect(RULES.R10.verdict).toBe('IGNORE')
    expect(validateEnvelope(sign({ createdAtMs: NOW_MS + 4 * 60_000 }), ctx).createdAtMs).toBe(NOW_MS + 4 * 60_000)
  })
})

describe('payload (R11-R21)', () => {
  it('R11: refuses a payload of the wrong shape', () => {
    expectRule(sign({ payload: [TODAY, []] }), 'R11', 'payload')
    expectRule(sign({ payload: [TODAY, [1], []] }), 'R11', 'strings')
    expectRule(sign({ payload: payloadWith(row => row.splice(10)) }), 'R11', 'entries[0]')
    expectRule(sign({ payload: payloadWith(row => { row[5] = 'x' }) }), 'R11', 'entries[0]')
    expectRule(sign({ payload: payloadWith(row => { row[5] = 0.5 }) }), 'R11', 'payload')
  })

  it('R12: refuses oversize strings, bad indices and too many entries', () => {
    expectRule(sign({ entries: [entry({ tool: 'x'.repeat(129) })] }), 'R12', 'strings[1]')
    expectRule(sign({ entries: [entry({ model: '\u{1F600}'.repeat(65) })] }), 'R12', 'strings[2]')
    expect(validateEnvelope(sign({ entries: [entry({ tool: 'x'.repeat(128) })] }), ctx).entries).toHaveLength(1)
    expectRule(sign({ payload: payloadWith(row => { row[1] = 3 }) }), 'R12', 'entries[0].tool')
    expectRule(sign({ payload: payloadWith(row => { row[0] = -1 }) }), 'R12', 'entries[0].task_type')
    const two = [base, entry({ day: TODAY - 1 })]
    expectRule(sign({ entries: two }), 'R12', 'entries', { ...ctx, limits: { maxEntries: 1 } })
  })

  it('R13: refuses an empty task type or tool, accepts an empty model', () => {
    expectRule(sign({ entries: [entry({ tool: '' })] }), 'R13', 'entries[0].tool')
    expectRule(sign({ entries: [entry({ taskType: '' })] }), 'R13', 'entries[0].task_type')
    expect(validateEnvelope(sign({ entries: [entry({ model: '' })] }), ctx).entries[0].model).toBe('')
  })

  it('R14: refuses negative, unsafe and zero counts', () => {
    expectRule(sign({ entries: [entry({ error: -1, pass: base.pass + 1 })] }), 'R14', 'entries[0].error')
    expectRule(sign({ entries: [entry({ sumCostMicros: 2 ** 53 })] }), 'R14', 'entries[0].sum_cost_micros')
    expectRule(sign({ payload: payloadWith(row => { row[13] = 2n ** 63n }) }), 'R14', 'entries[0].sum_cost_micros')
    const empty = { n: 0, pass: 0, grader_fail: 0, timeout: 0, no_tool_calls: 0, error: 0, offloaded: 0, nDuration: 0, sumDurationMs: 0, nCost: 0, sumCostMicros: 0, hist: new Map() }
    expectRule(sign({ entries: [entry(empty)] }), 'R14', 'entries[0].n')
  })

  it('R15: refuses class counts that do not add up to n', () => {
    expectRule(sign({ entries: [entry({ pass: base.pass + 1 })] }), 'R15', 'entries[0].n')
  })

  it('R16: refuses sub-counts larger than n', () => {
    expectRule(sign({ entries: [entry({ offloaded: base.n + 1 })] }), 'R16', 'entries[0].offloaded')
    expectRule(sign({ entries: [entry({ nCost: base.n + 1 })] }), 'R16', 'entries[0].n_cost')
    const big = entry({ nDuration: base.n + 1, hist: new Map([[10, base.n + 1]]) })
    expectRule(sign({ entries: [big] }), 'R16', 'entries[0].n_duration')
  })

  it('R17: refuses malformed histograms and wrong totals', () => {
    const field = 'entries[0].hist'
    expectRule(sign({ entries: [entry({ hist: new Map([[10, base.nDuration + 1]]) })] }), 'R17', field)
    expectRule(sign({ payload: payloadWith(row => { row.push(3) }) }), 'R17', field)
    expectRule(sign({ entries: [entry({ nDuration: 1, sumDurationMs: 10, hist: new Map([[BUCKET_COUNT, 1]]) })] }), 'R17', field)
    expectRule(sign({ payload: payloadWith(row => { row.splice(15, row.length, 10, 1, 0, 1) }) }), 'R17', field)
    expectRule(sign({ payload: payloadWith(row => { row.splice(15, row.length, 10, 0) }) }), 'R17', field)
  })

  it('R18: refuses sums no set of valid outcomes could reach', () => {
    expectRule(sign({ entries: [entry({ sumDurationMs: base.nDuration * 7 * DAY_MS + 1 })] }), 'R18', 'entries[0].sum_duration_ms')
    expectRule(sign({ entries: [entry({ sumCostMicros: 1, nCost: 0 })] }), 'R18', 'entries[0].sum_cost_micros')
  })

  it('R19: refuses what is not a day number', () => {
    expectRule(sign({ payload: [-1, [], []] }), 'R19', 'base_day')
  })

  it('R28: ignores (no penalty) days in the future, allowing for clock skew at midnight, once every REJECT rule holds', () => {
    expectRule(sign({ entries: [entry({ day: TODAY + 1 })] }), 'R28', 'entries[0].day')
    expect(RULES.R28.verdict).toBe('IGNORE')
    const nearMidnight = { ...ctx, nowMs: (TODAY + 1) * DAY_MS - 2 * 60_000 }
    expect(validateEnvelope(sign({ entries: [entry({ day: TODAY + 1 })] }), nearMidnight).entries).toHaveLength(1)
    // a later entry breaking a REJECT rule still gets the envelope rejected
    expectRule(sign({ entries: [entry({ day: TODAY + 1 }), entry({ tool: 'other', pass: base.pass + 1 })] }), 'R15', 'entries[1].n')
  })

  it('R20: refuses two entries with one key', () => {
    expectRule(sign({ entries: [base, entry({ pass: base.pass })] }), 'R20', 'entries[1]')
  })

  it('R21: skips stale entries, ignores an envelope with nothing else', () => {
    const stale = entry({ day: TODAY - 90 })
    expectRule(sign({ entries: [stale] }), 'R21', 'entries')
    const mixed = validateEnvelope(sign({ entries: [stale, entry({ day: TODAY - 89 })] }), ctx)
    expect(mixed.entries.map(e => e.day)).toEqual([TODAY - 89])
    expect(mixed.staleEntries).toBe(1)
    expect(validateEnvelope(sign({ kind: 1, entries: [] }), ctx).entries).toEqual([])
  })
})
