import fc from 'fast-check'
import { BUCKET_COUNT } from '../../src/core/histogram.js'
import { MAX_LABEL_CHARS } from '../../src/core/limits.js'
import { MAX_COST_MICROS, MAX_DURATION_MS } from '../../src/protocol/index.js'
import { TODAY } from './helpers.js'
import type { CounterEntry } from '../../src/core/types.js'

/** Labels over all of Unicode (well-formed: lone surrogates have no UTF-8 form), within the length bound. */
const label = (minLength: number): fc.Arbitrary<string> => fc.oneof(
  fc.constantFrom('bug_fix', 'code_review', 'aider', 'claude-code', 'gpt-5'),
  fc.string({ unit: 'binary', minLength, maxLength: 40 }),
  fc.string({ minLength: MAX_LABEL_CHARS - 2, maxLength: MAX_LABEL_CHARS })
).filter(s => s.length >= minLength && s.length <= MAX_LABEL_CHARS)

const count = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 100_000 }))
const fraction = fc.double({ min: 0, max: 1, noNaN: true })

/** A valid entry: every invariant of rules R13-R19 holds, counts occasionally large (int64 on the wire). */
export const entryArb: fc.Arbitrary<CounterEntry> = fc.record({
  taskType: label(1),
  tool: label(1),
  model: label(0),
  day: fc.integer({ min: TODAY - 89, max: TODAY }),
  classes: fc.tuple(count, count, count, count, count),
  hist: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: BUCKET_COUNT - 1 }), fc.integer({ min: 1, max: 5000 })), { selector: p => p[0], maxLength: 30 }),
  offloaded: fraction,
  nCost: fraction,
  sumDuration: fraction,
  sumCost: fraction
}).map(r => {
  const hist = new Map(r.hist)
  const nDuration = r.hist.reduce((s, [, c]) => s + c, 0)
  const [pass, graderFail, timeout, noToolCalls, error] = r.classes
  const deficit = Math.max(1, nDuration) - (pass + graderFail + timeout + noToolCalls + error)
  const c = { pass: pass + Math.max(0, deficit), grader_fail: graderFail, timeout, no_tool_calls: noToolCalls, error }
  const n = c.pass + c.grader_fail + c.timeout + c.no_tool_calls + c.error
  const nCost = Math.floor(r.nCost * n)
  return {
    taskType: r.taskType,
    tool: r.tool,
    model: r.model,
    day: r.day,
    n,
    ...c,
    offloaded: Math.floor(r.offloaded * n),
    sumDurationMs: Math.floor(r.sumDuration * nDuration * MAX_DURATION_MS),
    nDuration,
    sumCostMicros: Math.floor(r.sumCost * Math.min(nCost, 9000) * MAX_COST_MICROS),
    nCost,
    hist
  }
})

/** Entries with distinct keys (R20). */
export const entriesArb = (maxLength: number): fc.Arbitrary<CounterEntry[]> =>
  fc.uniqueArray(entryArb, { selector: e => JSON.stringify([e.taskType, e.tool, e.model, e.day]), maxLength })
