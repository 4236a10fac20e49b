import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { DEFAULT_ID_WORK_BITS, DEFAULT_MIN_SAMPLES } from '../src/core/limits.js'
import { DAY_MS } from '../src/core/time.js'
import { DEFAULT_RANK_POLICY, type RankPolicy } from '../src/core/ranking.js'
import { mintSeed } from '../src/protocol/identity-work.js'
import { fmt } from './lib/measure.js'
import { attackEnvelope, benchmarkedArms, bestArms, buildHonestHive, openVictim, type Claim, type HonestHive } from './lib/poison-hive.js'
import { armLabel, groundTruth, loadRows, score, type TaskTruth } from './lib/replay-data.js'
import { DEFAULT_DATA } from './replay.js'
import { isEntryPoint } from './lib/entry.js'

/**
 * npm run eval:poison -- [--data FILE] [--origins N] [--seed S] [--max-sybils K] [--mint-samples M]
 *
 * The hive ranking under attack, on real data: the outcome file dealt to N honest origins (the
 * victim is one of them and merges the others' signed snapshots), then attackers' validly signed
 * envelopes go through the same receive path, 8 days later (the attackers are new to the victim,
 * the honest origins its founders). For each ranking policy (the fixed cap before issue 13, each
 * defence alone, r2.1's three, the defaults with seniority) it prints how often one liar (one
 * identity, one envelope, 1,000,000 passes on the 2nd, 3rd, 5th or worst arm) takes the hive
 * best, and how many Sybil identities (100 claimed samples each) each strategy needs to flip
 * routing, with the CPU time those identities cost at the default identity work (R24), measured
 * in the same run; then what seniority costs honest peers that join a day late.
 */

const NOW = Date.parse('2026-11-23T12:00:00Z')
const INVENTED = 'evil-agent\u0000gpt-x'
const LIE = 1_000_000
const SYBIL_N = 100

/** today's ranking: the fixed cap of 100 samples per origin and no other defence */
const NONE: RankPolicy = { originCap: 100, medianCapFactor: 0, minOrigins: 1, leaveOut: 0, seniorityDays: 0 }

/** r2.1's defaults: the scaled cap, corroboration and leave-one-out, without seniority */
const THREE: RankPolicy = { ...DEFAULT_RANK_POLICY, seniorityDays: 0 }

const POLICIES: Array<{ name: string, policy: RankPolicy }> = [
  { name: 'fixed cap 100 (before issue 13)', policy: { ...NONE } },
  { name: 'cap 2 x median only', policy: { ...NONE, medianCapFactor: 2 } },
  { name: 'cap 1 x median only', policy: { ...NONE, medianCapFactor: 1 } },
  { name: 'min 2 origins only', policy: { ...NONE, minOrigins: 2 } },
  { name: 'leave-one-out only', policy: { ...NONE, leaveOut: 1 } },
  { name: 'cap + corroboration + leave-one-out (r2.1)', policy: THREE },
  { name: 'r2.1, min 3 origins, leave-2-out', policy: { ...THREE, minOrigins: 3, leaveOut: 2 } },
  { name: `default: r2.1 + seniority ${DEFAULT_RANK_POLICY.seniorityDays} days`, policy: DEFAULT_RANK_POLICY }
]

/**
 * The attack comes 8 days after the victim merged the honest hive: the attackers' identities
 * are new to it (first seen at the attack), the honest origins are its founders. Identities made
 * and shown a seniority period ahead are senior: the r2.1 rows measure them.
 */
const ATTACK_AT = NOW + 8 * DAY_MS

type Targets = Map<string, string[]>

const LIAR_TARGETS: Array<{ name: string, pick: (arms: string[]) => string | undefined }> = [
  { name: '2nd', pick: arms => arms[1] },
  { name: '3rd', pick: arms => arms[2] },
  { name: '5th', pick: arms => arms[4] },
  { name: 'worst', pick: arms => arms.length > 1 ? arms[arms.length - 1] : undefined }
]

/** A Sybil strategy: each identity's claims in one task type, given its arms best first (null: not applicable). */
const SYBILS: Array<{ name: string, target: (arms: string[]) => string | undefined, claims: (taskType: string, arms: string[], target: string) => Claim[] }> = [
  { name: 'invented arm', target: () => INVENTED, claims: (t, _, target) => [{ taskType: t, arm: target, n: SYBIL_N, pass: SYBIL_N }] },
  { name: 'boost the worst', target: arms => arms.length > 1 ? arms[arms.length - 1] : undefined, claims: (t, _, target) => [{ taskType: t, arm: target, n: SYBIL_N, pass: SYBIL_N }] },
  { name: 'boost a middling arm', target: arms => arms.length > 2 ? arms[Math.floor(arms.length / 2)] : undefined, claims: (t, _, target) => [{ taskType: t, arm: target, n: SYBIL_N, pass: SYBIL_N }] },
  {
    name: 'boost the worst, slander the rest',
    target: arms => arms.length > 1 ? arms[arms.length - 1] : undefined,
    claims: (t, arms, target) => arms.map(arm => ({ taskType: t, arm, n: SYBIL_N, pass: arm === target ? SYBIL_N : 0 }))
  }
]

interface Options { data: string, origins: number, seed: number, maxSybils: number, mintSamples: number }

function parse (argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: DEFAULT_DATA() },
      origins: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      'max-sybils': { type: 'string', default: '40' },
      'mint-samples': { type: 'string', default: '3' }
    }
  })
  return { data: values.data, origins: Number(values.origins), seed: Number(values.seed), maxSybils: Number(values['max-sybils']), mintSamples: Number(values['mint-samples']) }
}

/** Liar: one identity, one envelope; in how many task types does its arm become the best? */
async function liarFlips (hive: HonestHive, policy: RankPolicy, targets: Targets, pick: (arms: string[]) => string | undefined, truth: Map<string, TaskTruth>, dir: string): Promise<{ flipped: number, of: number, examples: string[], addedRegret: number }> {
  const victim = await openVictim(hive, policy, NOW, dir)
  victim.setNow(ATTACK_AT)
  try {
    const before = bestArms(victim, [...targets.keys()])
    const claims: Claim[] = []
    for (const [t, arms] of targets) {
      const target = pick(arms)
      // an arm that is already this policy's best is no flip
      if (target !== undefined && before.get(t) !== target) claims.push({ taskType: t, arm: target, n: LIE, pass: LIE })
    }
    const verdict = victim.receiver.receive(attackEnvelope(await generateKeyPair('Ed25519'), claims, ATTACK_AT))
    if (verdict.verdict !== 'accepted') throw new Error(`the lie was not accepted: ${JSON.stringify(verdict)}`)
    const best = bestArms(victim, claims.map(c => c.taskType))
    const flipped = claims.filter(c => best.get(c.taskType) === c.arm)
    // the harm: pass rate (over the whole file) lost by following the hive best, after minus before
    const regret = (t: string, arm: string | null | undefined): number => {
      const known = truth.get(t)
      if (known === undefined) throw new Error(`eval:poison: no ground truth for task type ${t}: the claims name only the file's task types`)
      return score(known, arm ?? null)?.regret ?? 0
    }
    const added = claims.reduce((s, c) => s + regret(c.taskType, best.get(c.taskType)) - regret(c.taskType, before.get(c.taskType)), 0)
    return { flipped: flipped.length, of: claims.length, examples: flipped.slice(0, 2).map(c => `${c.taskType}: ${armLabel(c.arm)}`), addedRegret: claims.length === 0 ? 0 : added / claims.length }
  } finally {
    victim.tracker.close()
  }
}

/** Sybils: identities added one at a time; the first k at which each task type's best becomes the target. */
async function sybilFlips (hive: HonestHive, policy: RankPolicy, targets: Targets, strategy: typeof SYBILS[number], maxSybils: number, dir: string): Promise<{ ks: number[], of: number }> {
  const victim = await openVictim(hive, policy, NOW, dir)
  victim.setNow(ATTACK_AT)
  try {
    const before = bestArms(victim, [...targets.keys()])
    const goals = new Map<string, string>()
    const claims: Claim[] = []
    for (const [t, arms] of targets) {
      const target = strategy.target(arms)
      if (target === undefined || before.get(t) === target) continue
      goals.set(t, target)
      claims.push(...strategy.claims(t, arms, target))
    }
    const ks: number[] = []
    const open = new Set(goals.keys())
    for (let k = 1; k <= maxSybils && open.size > 0; k++) {
      const verdict = victim.receiver.receive(attackEnvelope(await generateKeyPair('Ed25519'), claims, ATTACK_AT))
      if (verdict.verdict !== 'accepted') throw new Error(`a Sybil envelope was not accepted: ${JSON.stringify(verdict)}`)
      for (const [t, arm] of bestArms(victim, [...open])) {
        if (arm === goals.get(t)) { ks.push(k); open.delete(t) }
      }
    }
    return { ks, of: goals.size }
  } finally {
    victim.tracker.close()
  }
}

/**
 * What seniority costs an honest hive: the last `late` of the honest origins joined a day after
 * the others (new to the victim, pooled), measured a day later: the mean regret of following the
 * victim's hive best over the task types with a ground truth.
 */
async function honestRegret (hive: HonestHive, policy: RankPolicy, late: number, truth: Map<string, TaskTruth>, dir: string): Promise<number> {
  const victim = await openVictim(hive, policy, NOW, dir, undefined, { count: late, atMs: NOW + DAY_MS })
  try {
    victim.setNow(NOW + 2 * DAY_MS)
    const best = bestArms(victim, [...truth.keys()])
    return [...truth].reduce((sum, [t, taskTruth]) => sum + (score(taskTruth, best.get(t) ?? null)?.regret ?? 0), 0) / truth.size
  } finally {
    victim.tracker.close()
  }
}

function mintCost (bits: number, samples: number): { secondsPerIdentity: number, secondsPerTry: number } {
  const t0 = performance.now()
  let tries = 0
  for (let i = 0; i < samples; i++) tries += mintSeed(bits).tries
  const secondsPerTry = (performance.now() - t0) / 1000 / tries
  // the expected cost is 2^bits tries; a few samples of a geometric count would be too noisy
  return { secondsPerIdentity: secondsPerTry * 2 ** bits, secondsPerTry }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN

export async function main (o: Options): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hivebench-poison-'))
  try {
    const rows = loadRows(o.data)
    console.log(`eval:poison: ${o.data}\n  ${fmt(rows.length)} rows dealt to ${o.origins} honest origins (seed ${o.seed}); the victim is origin 1 and merges the others' signed snapshots`)
    const hive = await buildHonestHive(rows, o.origins, o.seed, NOW, dir)
    const truth = groundTruth(rows, DEFAULT_MIN_SAMPLES)
    const baseline = await openVictim(hive, NONE, NOW, dir) // the first policy: today's fixed cap
    const taskTypes = baseline.tracker.stats().task_types.map(t => t.task_type)
    const targets: Targets = new Map([...benchmarkedArms(baseline, taskTypes)].filter(([, arms]) => arms.length > 0))
    const sparse = [...targets.keys()].map(t => baseline.tracker.best(t).ranking.filter(a => a.benchmarked).map(a => a.n))
    baseline.tracker.close()
    console.log(`  ${targets.size} task types with a hive best before the attack; benchmarked arms hold ${Math.min(...sparse.flat())} to ${Math.max(...sparse.flat())} samples across the hive\n`)

    const t0 = performance.now()
    const mint = mintCost(DEFAULT_ID_WORK_BITS, o.mintSamples)
    console.log(`identity cost (R24, ${DEFAULT_ID_WORK_BITS} bits): ${(mint.secondsPerTry * 1e6).toFixed(1)} µs per Ed25519 key generation, so ${mint.secondsPerIdentity.toFixed(1)} s of one core per identity on average (${o.mintSamples} identities minted in ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`)

    console.log(`liar: one identity, one envelope claiming ${fmt(LIE)}/${fmt(LIE)} on the chosen arm (the baseline's 2nd, 3rd, 5th or worst); task types where it becomes the hive best, and the mean regret it adds (pass-rate points lost over the whole file by following the hive best)`)
    console.log(['policy', ...LIAR_TARGETS.map(t => `boost ${t.name}`)].join(' | '))
    for (const { name, policy } of POLICIES) {
      const cells: string[] = []
      for (const target of LIAR_TARGETS) {
        const r = await liarFlips(hive, policy, targets, target.pick, truth, dir)
        cells.push(`${r.flipped}/${r.of}, +${(r.addedRegret * 100).toFixed(1)} pts`)
      }
      console.log([name, ...cells].join(' | '))
    }

    console.log(`\nSybils: identities claiming ${SYBIL_N} samples each, added one at a time (up to ${o.maxSybils}); identities to flip the first / the median task type, task types flipped, and the CPU time of the fewest identities at ${DEFAULT_ID_WORK_BITS} bits`)
    console.log(['policy', 'strategy', 'fewest identities', 'median', 'task types flipped', 'CPU to flip one'].join(' | '))
    for (const { name, policy } of POLICIES) {
      for (const strategy of SYBILS) {
        const r = await sybilFlips(hive, policy, targets, strategy, o.maxSybils, dir)
        const fewest = r.ks.length === 0 ? null : Math.min(...r.ks)
        console.log([name, strategy.name, fewest === null ? `> ${o.maxSybils}` : String(fewest), r.ks.length * 2 > r.of ? String(median([...r.ks, ...Array(r.of - r.ks.length).fill(Infinity)])) : `> ${o.maxSybils}`,
          `${r.ks.length}/${r.of}`, fewest === null ? `> ${(o.maxSybils * mint.secondsPerIdentity).toFixed(0)} s` : `${(fewest * mint.secondsPerIdentity).toFixed(1)} s`].join(' | '))
      }
    }

    console.log(`\nhonest cost of seniority: the last k of the ${o.origins - 1} honest peers joined a day after the others (new to the victim for ${DEFAULT_RANK_POLICY.seniorityDays} days); mean regret of the victim's hive best over ${truth.size} task types a day later`)
    console.log(['policy', ...LATE.map(k => `k = ${k}`)].join(' | '))
    for (const { name, policy } of [{ name: 'r2.1 (no seniority)', policy: THREE }, { name: 'default (seniority)', policy: DEFAULT_RANK_POLICY }]) {
      const cells: string[] = []
      for (const k of LATE) cells.push((await honestRegret(hive, policy, k, truth, dir)).toFixed(4))
      console.log([name, ...cells].join(' | '))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** honest peers joining late in the honest-cost measure */
const LATE = [0, 3, 6, 8]

if (isEntryPoint(import.meta.url)) {
  await main(parse(process.argv.slice(2)))
}
