import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { addOutcomeTo } from '../../src/core/counters.js'
import { DAY_MS } from '../../src/core/time.js'
import { emptyCounters, OUTCOME_CLASSES, type CounterEntry } from '../../src/core/types.js'
import { originBytesOf, pack, payloadWire, signBody, type WireValue } from '../../src/protocol/index.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'

/**
 * Shared by the protocol tests and scripts/gen-vectors.ts: deterministic keys, a seeded random
 * source, realistic counters, and an envelope builder that takes any wire values (valid or not).
 */

/** 2026-11-23T12:00:00Z: the fixed "now" of the test vectors. */
export const NOW_MS = Date.UTC(2026, 10, 23, 12)
export const TODAY = Math.floor(NOW_MS / DAY_MS)

/** A deterministic Ed25519 key: seed = 32 bytes of `fill`. */
export async function seedKey (fill: number): Promise<Ed25519PrivateKey> {
  return await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(fill))
}

/** mulberry32: small, seedable, good enough for test data. */
export { mulberry32 as seededRandom } from '../../src/core/random.js'

/** Counters of `n` simulated outcomes of one arm: log-normal durations around `medianS`, some costs. */
export function simulatedEntry (random: () => number, key: { taskType: string, tool: string, model: string, day: number }, n: number, medianS: number): CounterEntry {
  const c = emptyCounters()
  for (let i = 0; i < n; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    const r = random()
    addOutcomeTo(c, {
      taskType: key.taskType,
      tool: key.tool,
      model: key.model,
      outcome: r < 0.6 ? 'pass' : OUTCOME_CLASSES[1 + Math.floor(random() * 4)]!, // one of the 4 classes after pass
      durationS: random() < 0.95 ? Math.min(604_800, medianS * Math.exp(0.6 * gauss)) : null,
      costUsd: random() < 0.8 ? Math.round(random() * 0.5 * 1e6) / 1e6 : null,
      offloaded: random() < 0.1,
      userId: null,
      id: null,
      atMs: key.day * DAY_MS
    })
  }
  return { ...key, ...c }
}

/** The realistic sample of the spec: task types x tools x models on one day, ~15 histogram buckets each. */
export function realisticEntries (random: () => number, shape = { taskTypes: 20, tools: 10, models: 5, n: 25 }, day = TODAY): CounterEntry[] {
  const entries: CounterEntry[] = []
  for (let t = 0; t < shape.taskTypes; t++) {
    for (let tool = 0; tool < shape.tools; tool++) {
      for (let m = 0; m < shape.models; m++) {
        const key = { taskType: `task_type_${t}`, tool: `coding-tool-${tool}`, model: `vendor/model-${m}`, day }
        entries.push(simulatedEntry(random, key, shape.n, 20 + 15 * tool))
      }
    }
  }
  return entries
}

export interface CraftSpec {
  signer: Ed25519PrivateKey
  originBytes?: Uint8Array
  seq?: WireValue
  kind?: WireValue
  createdAtMs?: WireValue
  part?: WireValue
  parts?: WireValue
  entries?: CounterEntry[]
  /** the payload as a wire value; default payloadWire(entries) */
  payload?: WireValue
  /** the payload bytes as they are, overriding payload and entries */
  payloadBytes?: Uint8Array
  /** rewrites the body fields before they are signed */
  body?: (fields: WireValue[]) => WireValue
  /** rewrites [version, body, signature] after signing */
  outer?: (fields: WireValue[]) => WireValue
  /** the body that is signed, when it is not the one carried (an altered body keeps the original's signature) */
  signedBody?: (fields: WireValue[]) => WireValue
  /** signs the body bytes instead of `signer` (a key libp2p cannot hold, such as one with a torsion component) */
  sign?: (body: Uint8Array) => Uint8Array
  /** encodes [version, body, signature] itself (a value pack() does not write, such as a map) */
  outerBytes?: (fields: WireValue[]) => Uint8Array
}

/** An envelope from arbitrary wire values: nothing is checked, so it can break any rule. */
export function craft (spec: CraftSpec): Uint8Array {
  const payload = spec.payloadBytes ?? pack(spec.payload ?? payloadWire(spec.entries ?? []))
  const fields: WireValue[] = [
    spec.originBytes ?? originBytesOf(spec.signer), spec.seq ?? 1, spec.kind ?? 0,
    spec.createdAtMs ?? NOW_MS, spec.part ?? 0, spec.parts ?? 1, payload
  ]
  const body = pack(spec.body === undefined ? fields : spec.body(fields))
  const signed = spec.signedBody === undefined ? body : pack(spec.signedBody(fields))
  const outer: WireValue[] = [1, body, spec.sign === undefined ? signBody(signed, spec.signer) : spec.sign(signed)]
  if (spec.outerBytes !== undefined) return spec.outerBytes(outer)
  return pack(spec.outer === undefined ? outer : spec.outer(outer))
}
