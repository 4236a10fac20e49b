import { beforeAll, describe, expect, it } from 'vitest'
import { ProtocolError, validateEnvelope } from '../../src/protocol/index.js'
import { seededRandom } from './helpers.js'
import { brokenInvariant, FUZZ_CONTEXT, hostileInput, prepareHostileInputs } from './fuzz-inputs.js'

/**
 * 100,000 hostile inputs through validateEnvelope (see fuzz-inputs.ts). Every refusal must be a
 * ProtocolError, and whatever is accepted must satisfy the invariants the rules promise.
 */

const RUNS = 100_000

beforeAll(prepareHostileInputs)

describe('fuzzing validateEnvelope', () => {
  it(`survives ${RUNS} hostile inputs: every refusal is a ProtocolError`, () => {
    const random = seededRandom(20261123)
    const verdicts = new Map<string, number>()
    for (let run = 0; run < RUNS; run++) {
      const input = hostileInput(random)
      let outcome: string
      try {
        expect(brokenInvariant(validateEnvelope(input, FUZZ_CONTEXT).entries)).toBeNull()
        outcome = 'ACCEPT'
      } catch (err) {
        if (!(err instanceof ProtocolError)) {
          throw new Error(`run ${run}: ${String(err)} for input ${Buffer.from(input).toString('hex')}`, { cause: err })
        }
        outcome = err.rule
      }
      verdicts.set(outcome, (verdicts.get(outcome) ?? 0) + 1)
    }
    // the mix shows the fuzzer reaches deep rules, not just the signature check
    for (const rule of ['R2', 'R4', 'R8', 'R11', 'R14', 'R15', 'R17', 'ACCEPT']) expect(verdicts.get(rule) ?? 0).toBeGreaterThan(0)
  }, 60_000)
})
