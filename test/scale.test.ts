import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { GOSSIPSUB_DEFAULTS, MESSAGE_OVERHEAD, simulateGossip, type GossipResult, type ModelMessage } from '../scripts/lib/scale-gossip.js'

const N = 40
const PROCESS_US = 800
const DUPLICATE_US = 3

function run (messages: ModelMessage[], overrides: Partial<typeof GOSSIPSUB_DEFAULTS> = {}): GossipResult {
  return simulateGossip({ ...GOSSIPSUB_DEFAULTS, ...overrides, nodes: N, seed: 5, processUs: () => PROCESS_US, duplicateUs: () => DUPLICATE_US }, messages)
}

const sample = (count: number, bytes: number): ModelMessage[] =>
  Array.from({ length: count }, (_, i) => ({ origin: (i * 7) % N, atMs: i * 150, bytes, entries: 30 }))

function expectExactlyOnce (messages: ModelMessage[], r: GossipResult): void {
  expect(r.reached).toEqual(messages.map(() => N))
  expect(r.convergenceMs.every(Number.isFinite)).toBe(true)
  r.nodes.forEach((t, node) => {
    expect(t.delivered).toBe(messages.filter(m => m.origin !== node).length)
    expect(t.expiredRepeats).toBe(0)
  })
}

function expectBytesAddUp (bytes: number, r: GossipResult): void {
  const sum = (f: (t: GossipResult['nodes'][number]) => number): number => r.nodes.reduce((a, t) => a + f(t), 0)
  const kinds = r.bytesByKind.message + r.bytesByKind.ihave + r.bytesByKind.iwant + r.bytesByKind.idontwant
  expect(sum(t => t.rxBytes)).toBe(kinds)
  expect(sum(t => t.txBytes)).toBe(kinds)
  // every receipt of a message, kept or dropped as a duplicate, carried the message and its framing
  expect(r.bytesByKind.message).toBe(sum(t => t.delivered + t.duplicates) * (bytes + MESSAGE_OVERHEAD))
  expect(sum(t => t.cpuUs)).toBe(sum(t => t.delivered) * PROCESS_US + sum(t => t.duplicates) * DUPLICATE_US)
}

describe('bench:scale gossip model', () => {
  it('delivers every message to every node exactly once after dedup, and its bytes add up (small and large messages)', () => {
    for (const bytes of [300, 70_000]) {
      const messages = sample(30, bytes)
      const r = run(messages)
      expectExactlyOnce(messages, r)
      expectBytesAddUp(bytes, r)
      expect(r.nodes.some(t => t.duplicates > 0)).toBe(true)
      // IDONTWANT only for messages of at least idontwantMinBytes, as @libp2p/gossipsub sends it
      expect(r.bytesByKind.idontwant > 0).toBe(bytes >= GOSSIPSUB_DEFAULTS.idontwantMinBytes)
    }
  })

  it('IDONTWANT cuts duplicate receipts of large messages', () => {
    const messages = sample(30, 70_000)
    const dups = (r: GossipResult): number => r.nodes.reduce((a, t) => a + t.duplicates, 0)
    expect(dups(run(messages))).toBeLessThan(dups(run(messages, { idontwantMinBytes: Infinity })))
  })

  it('without a mesh, lazy gossip alone (IHAVE, IWANT) still reaches every node exactly once', () => {
    const messages = sample(10, 2_000)
    const r = run(messages, { d: 0 })
    expectExactlyOnce(messages, r)
    expectBytesAddUp(2_000, r)
    expect(r.bytesByKind.iwant).toBeGreaterThan(0)
  })

  it('a receipt after seenTTL is validated again, not dropped (the merge then ignores it)', () => {
    // one node so slow that its queue outlasts seenTTL: repeats show up as expiredRepeats
    const messages = sample(30, 2_000)
    const r = simulateGossip({ ...GOSSIPSUB_DEFAULTS, nodes: N, seed: 5, seenTtlMs: 50, processUs: () => 200_000, duplicateUs: () => 0 }, messages)
    expect(r.nodes.some(t => t.expiredRepeats > 0)).toBe(true)
  })
})

const csv = fileURLToPath(new URL('../../shared/data/swebench-verified-bash-only.csv', import.meta.url))

describe.skipIf(!existsSync(csv))('npm run bench:scale (the script as a child process)', () => {
  const script = fileURLToPath(new URL('../dist/scripts/bench-scale.js', import.meta.url))
  const bench = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 120_000 })

  it('prints the measured figures, the model and the extrapolated row; exits 2 with the usage on a bad option', () => {
    const ok = bench(['--nodes', '30', '--messages', '24', '--samples', '2', '--extrapolate', '300'])
    expect(ok.status, String(ok.stderr)).toBe(0)
    const out = String(ok.stdout)
    expect(out).toMatch(/messages sampled \/ reaching every node\s*│\s*24 \/ 24\s*│\s*6 \/ 6/)
    expect(out).toMatch(/receive \(decode, verify, validate, merge\)/)
    expect(out).toMatch(/│\s*300 │/)
    const bad = bench(['--nodes', 'many'])
    expect(bad.status).toBe(2)
    expect(String(bad.stderr)).toMatch(/--nodes must be a positive integer/)
  }, 150_000)
})
