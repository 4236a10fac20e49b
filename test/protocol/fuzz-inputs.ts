import { Packr } from 'msgpackr'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { OUTCOME_CLASSES, type CounterEntry } from '../../src/core/types.js'
import { encodeEnvelope, pack, payloadWire, type WireValue } from '../../src/protocol/index.js'
import { craft, NOW_MS, realisticEntries, seededRandom, seedKey, simulatedEntry, TODAY } from './helpers.js'

/**
 * Hostile envelope inputs for the fuzz test (100,000 cases) and the nightly-style fuzz script
 * (scripts/fuzz-envelopes.ts, 1,000,000+): random bytes, random msgpack values, and valid
 * envelopes mutated (bit flips, truncation, splicing) or rebuilt around mutated fields and
 * re-signed, so the deep rules are reached too.
 */

export const FUZZ_CONTEXT = { nowMs: NOW_MS, retentionDays: 90 }

const plainPacker = new Packr({ useRecords: false })
const loosePackers = [plainPacker, new Packr({ structuredClone: true }), new Packr({ useRecords: true })]
/** One of `items` (never empty here), with one draw of `random`. */
const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!

let key: Ed25519PrivateKey
let seeds: Uint8Array[] = []
let seedEntries: CounterEntry[][] = []

/** Builds the seed envelopes; call (and await) once before hostileInput. */
export async function prepareHostileInputs (): Promise<void> {
  key = await seedKey(7)
  const random = seededRandom(11)
  seedEntries = [
    [],
    [simulatedEntry(random, { taskType: 'bug_fix', tool: 'aider', model: '', day: TODAY }, 3, 20)],
    realisticEntries(random, { taskTypes: 2, tools: 2, models: 2, n: 6 }),
    [simulatedEntry(random, { taskType: 'refactor', tool: 'claude-code', model: 'm', day: TODAY - 3 }, 400, 600)]
  ]
  seeds = seedEntries.map((entries, i) => encodeEnvelope({ seq: i + 1, kind: i % 2 === 0 ? 'delta' : 'snapshot', createdAtMs: NOW_MS, entries }, key))
}

function randomValue (random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 10 : 14))
  const int = (): number => Math.floor((random() - 0.3) * 2 ** Math.floor(random() * 60))
  switch (pick) {
    case 0: return int()
    case 1: return Math.floor(random() * 300)
    case 2: return [NaN, Infinity, -Infinity, 0.5, -0, 2 ** 53, -(2 ** 63)][Math.floor(random() * 7)]
    case 3: return BigInt.asIntN(64, BigInt(int()) * 2n ** BigInt(Math.floor(random() * 12)))
    case 4: return 'x'.repeat(Math.floor(random() * 140))
    case 5: return new Uint8Array(Math.floor(random() * 50)).map(() => random() * 256)
    case 6: return null
    case 7: return random() < 0.5
    case 8: return new Date(int())
    case 9: return '\u{1F600}\u00e9'.repeat(Math.floor(random() * 70))
    case 10: return { a: randomValue(random, depth + 1), __proto__x: 1 }
    case 11: return new Map([[randomValue(random, depth + 1), randomValue(random, depth + 1)]])
    default: return Array.from({ length: Math.floor(random() * 20) }, () => randomValue(random, depth + 1))
  }
}

/** Replaces one random element somewhere inside a nested array. */
function mutateTree (tree: unknown, random: () => number): void {
  let node = tree
  for (;;) {
    if (!Array.isArray(node) || node.length === 0) return
    const i = Math.floor(random() * node.length)
    if (Array.isArray(node[i]) && random() < 0.7) { node = node[i]; continue }
    const r = random()
    if (r < 0.5) node[i] = randomValue(random)
    else if (r < 0.7) node.splice(i, 1)
    else if (r < 0.85 && typeof node[i] === 'number') node[i] += random() < 0.5 ? 1 : -1
    else node.push(randomValue(random))
    return
  }
}

function flipBits (bytes: Uint8Array, random: () => number): Uint8Array {
  const out = Uint8Array.from(bytes)
  const flips = 1 + Math.floor(random() * 8)
  for (let i = 0; i < flips && out.length > 0; i++) {
    const at = Math.floor(random() * out.length)
    out[at] = out[at]! ^ (1 << Math.floor(random() * 8))
  }
  return out
}

export function hostileInput (random: () => number): Uint8Array {
  const seed = pick(seeds, random)
  const r = random()
  if (r < 0.1) return new Uint8Array(Math.floor(random() * 200)).map(() => random() * 256)
  if (r < 0.25) return flipBits(seed, random)
  if (r < 0.33) return seed.subarray(0, Math.floor(random() * seed.length))
  if (r < 0.4) {
    const other = pick(seeds, random)
    const at = Math.floor(random() * seed.length)
    const from = Math.floor(random() * other.length)
    return Uint8Array.from([...seed.subarray(0, at), ...other.subarray(from)])
  }
  if (r < 0.5) return pick(loosePackers, random).pack(randomValue(random))
  // re-signed: the signature holds, so the body and payload rules are what stands in the way
  const entries = pick(seedEntries, random)
  if (r < 0.65) {
    const payload = payloadWire(entries)
    mutateTree(payload, random)
    return craft({ signer: key, payloadBytes: plainPacker.pack(payload) })
  }
  if (r < 0.8) return craft({ signer: key, payloadBytes: flipBits(pack(payloadWire(entries)), random) })
  if (r < 0.9) {
    return craft({
      signer: key,
      entries,
      body: fields => {
        mutateTree(fields, random)
        return fields
      }
    })
  }
  const outer = [1, pack(randomValue(random) as WireValue), new Uint8Array(64)]
  mutateTree(outer, random)
  return plainPacker.pack(outer)
}

/** What the rules promise of accepted entries; returns the first broken promise, or null. */
export function brokenInvariant (entries: CounterEntry[]): string | null {
  for (const e of entries) {
    if (OUTCOME_CLASSES.reduce((s, k) => s + e[k], 0) !== e.n) return 'classes do not sum to n'
    if ([...e.hist.values()].reduce((s, c) => s + c, 0) !== e.nDuration) return 'histogram total is not n_duration'
    if (!(e.nDuration <= e.n && e.nCost <= e.n && e.offloaded <= e.n && e.n >= 1)) return 'a count exceeds n'
  }
  return null
}
