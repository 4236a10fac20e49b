import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { POLICIES } from '../scripts/lib/simulate-policies.js'
import { SIMULATE_CSV_HEADER, writeSimulateReport } from '../scripts/lib/simulate-report.js'
import { runSimulation, simulateDefaults, type SimulateOptions, type SimulateResult } from '../scripts/lib/simulate-run.js'
import { loadWorld, MIN_ARM_ROWS, taskArrivals } from '../scripts/lib/simulate-world.js'
import { parseSeeds } from '../scripts/simulate.js'
import { tempDir } from './helpers/tmp.js'

const DATA = fileURLToPath(new URL('../../shared/data/swebench-verified-bash-only.csv', import.meta.url))
const small = (o: Partial<SimulateOptions> = {}): SimulateOptions => ({ ...simulateDefaults(DATA), nodes: 3, tasks: 30, shareEvery: 5, seeds: [7], ...o })
/** what a policy did, without the timings */
const trace = (r: SimulateResult) => r.runs.map(run => ({ seed: run.seed, policy: run.policy, steps: run.steps, bestPerTask: run.bestPerTask, late: run.late }))
const finalOf = (r: SimulateResult, policy: string) => r.points.filter(p => p.policy === policy).at(-1)!

describe('simulate: the closed routing loop', () => {
  it('a smoke run (N = 3, T = 50) of every policy on the SWE-bench file finishes in seconds and writes the CSV and the chart', async () => {
    // about 1 s on an idle machine; the test's timeout (60 s) is the bound, generous for a loaded one
    const result = await runSimulation(small({ tasks: 50, shareEvery: 10 }))
    // 12 repositories, of which 2 (seaborn, flask) have no arm with 5 rows
    expect(result.world.taskTypes).toHaveLength(10)
    expect(result.world.dropped.sort()).toEqual(['mwaskom/seaborn', 'pallets/flask'])
    expect(result.points).toHaveLength(POLICIES.length * 5)
    for (const name of POLICIES) expect(result.points.filter(p => p.policy === name).map(p => p.task)).toEqual([10, 20, 30, 40, 50])
    // the hive delivered real envelopes; the policies without a network did not
    expect(finalOf(result, 'hive').bytes).toBeGreaterThan(0)
    for (const name of ['local', 'central', 'oracle']) expect(finalOf(result, name).bytes).toBe(0)
    // regret only grows, and every policy but the oracle pays some on 250 arms in 50 tasks
    for (const name of POLICIES) {
      const regrets = result.points.filter(p => p.policy === name).map(p => p.cumulativeRegret)
      expect(regrets).toEqual([...regrets].sort((a, b) => a - b))
      if (name !== 'oracle') expect(regrets.at(-1)).toBeGreaterThan(0)
    }
    // every decision has one route() mode, and the regret by mode adds up to the total
    for (const run of result.runs) {
      const modes = Object.values(run.modeShare)
      expect(modes.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
      expect(Object.values(run.regretByMode).reduce((a, b) => a + b, 0)).toBeCloseTo(run.steps.at(-1)!.cumulativeRegret, 9)
    }
    expect(result.runs.find(r => r.policy === 'oracle')!.modeShare.exploit).toBeCloseTo(1, 9)

    const dir = tempDir()
    const files = writeSimulateReport(result, dir)
    const lines = readFileSync(files.csv, 'utf8').trimEnd().split('\n')
    expect(lines[0]).toBe('task,policy,cumulative_regret,best_arm_share,bytes')
    expect(SIMULATE_CSV_HEADER).toBe(lines[0])
    expect(lines).toHaveLength(1 + POLICIES.length * 5)
    expect(lines.filter(l => l.startsWith('50,')).map(l => l.split(',')[1])).toEqual([...POLICIES])
    const svg = readFileSync(files.svg, 'utf8')
    expect(svg.match(/<polyline/g)).toHaveLength(POLICIES.length)
    expect(svg).toContain('N = 3, K = 10, seed 7')
  }, 60_000)

  it('is deterministic for a seed, and another seed gives another run', async () => {
    const a = await runSimulation(small())
    const b = await runSimulation(small())
    expect(trace(b)).toEqual(trace(a))
    const c = await runSimulation(small({ seeds: [8] }))
    expect(trace(c).map(r => r.steps.map(s => s.cumulativeRegret))).not.toEqual(trace(a).map(r => r.steps.map(s => s.cumulativeRegret)))
  }, 60_000)

  it('the oracle has zero regret and always picks a best arm', async () => {
    const result = await runSimulation(small({ policies: ['oracle'], seeds: [1, 2] }))
    for (const p of result.points) {
      expect(p.cumulativeRegret).toBe(0)
      expect(p.bestArmShare).toBe(1)
    }
  })

  it('sharing disabled makes hive equal local, decision for decision; enabled, they differ', async () => {
    const off = await runSimulation(small({ shareEvery: 0, policies: ['hive', 'local'], seeds: [3] }))
    const [hive, local] = off.runs
    expect(hive.steps.map(s => ({ ...s, policy: 'x' }))).toEqual(local.steps.map(s => ({ ...s, policy: 'x' })))
    expect(hive.bestPerTask).toEqual(local.bestPerTask)
    expect(hive.late).toBeNull() // no late node without sharing: it would have nothing to join
    const on = await runSimulation(small({ policies: ['hive', 'local'], seeds: [3] }))
    expect(on.runs[0].steps.map(s => s.cumulativeRegret)).not.toEqual(on.runs[1].steps.map(s => s.cumulativeRegret))
  })

  it('with one arm per task type every policy has zero regret (a JSON Lines file with durations; arms under 5 rows do not exist)', async () => {
    const file = join(tempDir(), 'one-arm.jsonl')
    const rows: object[] = []
    for (const [taskType, model, n, pass] of [['a', 'm1', 9, 4], ['b', 'm2', 6, 6], ['c', 'm3', 5, 1]] as const) {
      for (let i = 0; i < n; i++) rows.push({ task_type: taskType, tool: 'agent', model, outcome: i < pass ? 'pass' : 'timeout', duration_s: 10 + i })
    }
    // an arm with too few rows to have a ground truth, beside c's only arm
    for (let i = 0; i < MIN_ARM_ROWS - 1; i++) rows.push({ task_type: 'c', tool: 'agent', model: 'rare', outcome: 'pass' })
    writeFileSync(file, rows.map(r => JSON.stringify(r)).join('\n') + '\n')
    const world = loadWorld(file)
    expect(world.taskTypes.map(t => [t.taskType, t.arms.map(a => a.model)])).toEqual([['a', ['m1']], ['b', ['m2']], ['c', ['m3']]])
    const result = await runSimulation(small({ data: file, tasks: 20 }), world)
    expect(result.runs.map(r => r.policy)).toEqual([...POLICIES])
    for (const p of result.points) {
      expect(p.cumulativeRegret).toBe(0)
      expect(p.bestArmShare).toBe(1)
    }
    expect(result.late?.lateShare).toBe(1)
  })

  it('a late node joins after half the tasks through the sync path and routes on the hive from its first task', async () => {
    const result = await runSimulation(small({ nodes: 4, tasks: 40, policies: ['hive', 'local'] }))
    const late = result.late!
    expect(late.joinAt).toBe(20)
    expect(result.runs[0].late).toHaveLength(20)
    expect(late.window).toBe(20)
    expect(late.curve).toHaveLength(20)
    expect(late.aloneShare).not.toBeNull()
    // the sync delivered what the founders held: its bytes are in the hive's count beyond the deltas
    const withoutLate = await runSimulation(small({ nodes: 4, tasks: 40, policies: ['hive'], lateNode: false }))
    expect(finalOf(result, 'hive').bytes).toBeGreaterThan(finalOf(withoutLate, 'hive').bytes)
  })

  it('--skew 1: a node sees only its two home task types; 0: the file\'s mix', () => {
    const world = loadWorld(DATA)
    const seen = (skew: number, node: number): Set<string> => {
      const next = taskArrivals(world, 1, node, skew)
      return new Set(Array.from({ length: 500 }, () => next().taskType))
    }
    expect([...seen(1, 0)].sort()).toEqual([world.taskTypes[0].taskType, world.taskTypes[1].taskType].sort())
    expect([...seen(1, 1)].sort()).toEqual([world.taskTypes[2].taskType, world.taskTypes[3].taskType].sort())
    expect(seen(0, 0).size).toBe(10)
  })

  it('parses seeds and rejects bad options', async () => {
    expect(parseSeeds('1..5')).toEqual([1, 2, 3, 4, 5])
    expect(parseSeeds('3,9')).toEqual([3, 9])
    await expect(runSimulation(small({ nodes: 0 }))).rejects.toThrow('--nodes must be an integer >= 1')
    await expect(runSimulation(small({ policies: ['best' as never] }))).rejects.toThrow('unknown policy best')
    await expect(runSimulation(small({ skew: 2 }))).rejects.toThrow('--skew')
    await expect(runSimulation(small({ seeds: parseSeeds('1,x') }))).rejects.toThrow('--seed')
  })

  it('the script: prints the report and writes DIR/simulate.csv; a bad option exits 2 with the usage', () => {
    const script = fileURLToPath(new URL('../dist/scripts/simulate.js', import.meta.url))
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` (npm test does)`)
    const run = (args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 })
    const out = tempDir()
    const ok = run(['--nodes', '2', '--tasks', '10', '--share-every', '5', '--policy', 'hive,local,oracle', '--seed', '1..2', '--out', out])
    expect(ok.status).toBe(0)
    expect(ok.stdout).toContain('2 nodes x 10 tasks, deltas exchanged every 5 tasks')
    expect(ok.stdout).toMatch(/late node \(joins after 5 tasks/)
    expect(readFileSync(join(out, 'simulate.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1 + 3 * 2)
    const bad = run(['--explore-share', '2'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('--explore-share must be a share from 0 to 1 (got 2)')
    expect(bad.stderr).toContain('usage: npm run simulate')
  }, 60_000)

  it('--live: the hive policy over daemons on 127.0.0.1 makes the same decisions as in process', async () => {
    const o = small({ nodes: 3, tasks: 20, shareEvery: 10, policies: ['hive', 'hive-no-explore'] })
    const memory = await runSimulation(o)
    const live = await runSimulation({ ...o, live: true })
    const decisions = (r: SimulateResult) => r.runs.map(run => ({ policy: run.policy, regret: run.steps.map(s => s.cumulativeRegret), best: run.bestPerTask }))
    expect(decisions(live)).toEqual(decisions(memory))
    expect(finalOf(live, 'hive').bytes).toBeGreaterThan(0)
    expect(live.late).toBeNull()
  }, 120_000)
})
