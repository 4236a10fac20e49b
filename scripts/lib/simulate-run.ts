import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkExploreShare, type RouteMode } from '../../src/core/route.js'
import type { Outcome } from '../../src/core/types.js'
import type { Tracker } from '../../src/tracker.js'
import { at } from './lists.js'
import { exchangeDeltas, openMemoryNode, syncFrom, type ExchangeReport, type MemoryNode } from './replay-hive.js'
import { choose, POLICIES, policies, truthRanking, withCandidates, type Policy, type PolicyName } from './simulate-policies.js'
import { loadWorld, outcomeDraws, streamOf, taskArrivals, type SimTaskType, type World } from './simulate-world.js'

export interface SimulateOptions {
  /** CSV or JSON Lines outcome file */
  data: string
  nodes: number
  /** tasks per node */
  tasks: number
  /** every K tasks each node exports a delta and receives the others'; 0 = never (sharing off) */
  shareEvery: number
  policies: PolicyName[]
  seeds: number[]
  /** 0..1: the share of a node's tasks drawn from its two home task types instead of the file's mix */
  skew: number
  /** explore share of the default policies (hive, local, central); undefined: route()'s default (2 / arms) */
  exploreShare?: number
  /** the sharing policies run over daemons on 127.0.0.1 (libp2p gossip and sync) instead of in process */
  live: boolean
  /** the hive policy gets one more node that joins after half the tasks (in process only) */
  lateNode: boolean
  /** a CSV row every this many tasks per node (and at the last task); default: K, or 10 without sharing */
  reportEvery?: number
  log?: (line: string) => void
}

export const simulateDefaults = (data: string): SimulateOptions => ({
  data, nodes: 20, tasks: 500, shareEvery: 10, policies: [...POLICIES], seeds: [1], skew: 0, live: false, lateNode: true
})

/** One line of simulate.csv. */
export interface StepPoint {
  /** tasks per node so far */
  task: number
  policy: PolicyName
  /** sum over the tasks so far of (best pass rate - chosen arm's true pass rate), mean over the N nodes */
  cumulativeRegret: number
  /** share of the decisions since the previous step that chose a true best arm */
  bestArmShare: number
  /** envelope bytes delivered so far in the whole hive (once per receiving node) */
  bytes: number
}

export interface SeedRun {
  seed: number
  policy: PolicyName
  steps: StepPoint[]
  /** per task index: how many of the N nodes chose a true best arm */
  bestPerTask: number[]
  /** the late node's decisions in order: did it choose a true best arm? (hive policy with lateNode only) */
  late: boolean[] | null
  /** where the regret came from: route()'s mode of each decision, regret per node (founders) */
  regretByMode: Record<RouteMode, number>
  /** share of the founders' decisions in each mode */
  modeShare: Record<RouteMode, number>
  seconds: number
}

export interface LateNodeReport {
  /** the node joins after this many tasks per node, syncs from a peer, then routes the rest */
  joinAt: number
  window: number
  /** pooled over seeds: the late node's best-arm share over its first `window` tasks */
  lateShare: number
  /** the founding nodes' best-arm share over the same tasks */
  hiveShare: number
  /** a node alone (local policy) over its first `window` tasks; null without the local policy */
  aloneShare: number | null
  /** the fewest tasks k after which the late node's share over its first k tasks reaches the hive's over those tasks; null: never */
  tasksToReach: number | null
  /** per task k of the late node: share of seeds in which it chose a best arm */
  curve: number[]
}

export interface SimulateResult {
  options: SimulateOptions
  world: World
  /** one per policy per step, means over seeds */
  points: StepPoint[]
  runs: SeedRun[]
  late: LateNodeReport | null
}

export function validateSimulateOptions (o: SimulateOptions): void {
  const int = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min} (got ${v})`)
  }
  int('nodes', o.nodes, 1); int('tasks', o.tasks, 1); int('share-every', o.shareEvery, 0)
  if (o.reportEvery !== undefined) int('report-every', o.reportEvery, 1)
  for (const s of o.seeds) int('seed', s, 0)
  if (o.seeds.length === 0) throw new Error('--seed: at least one seed')
  if (o.policies.length === 0) throw new Error('--policy: at least one policy')
  for (const p of o.policies) if (!(POLICIES as readonly string[]).includes(p)) throw new Error(`--policy: unknown policy ${p} (one of ${POLICIES.join(', ')})`)
  if (!(o.skew >= 0 && o.skew <= 1)) throw new Error(`--skew must be a share from 0 to 1 (got ${o.skew})`)
  if (o.exploreShare !== undefined) try { checkExploreShare(o.exploreShare) } catch { throw new Error(`--explore-share must be a share from 0 to 1 (got ${o.exploreShare})`) }
}

/** The nodes a policy routes from and records into, whatever carries their deltas. */
interface PolicyNodes {
  trackerOf: (node: number) => Tracker
  record: (node: number, outcome: Outcome) => void
  /** every active node exports its delta and receives the others' */
  exchange: (round: number) => Promise<ExchangeReport>
  /** the late node syncs from node 1 and takes part in exchanges from now on */
  join: () => ExchangeReport
  close: () => Promise<void>
}

const inputOf = (o: Outcome): Record<string, unknown> => ({
  task_type: o.taskType, tool: o.tool, model: o.model, outcome: o.outcome,
  ...(o.durationS === null ? {} : { duration_s: o.durationS }),
  ...(o.costUsd === null ? {} : { cost_usd: o.costUsd })
})

async function openInProcess (count: number, founders: number, dir: string, nowMs: number): Promise<PolicyNodes> {
  const now = (): number => nowMs
  const nodes: MemoryNode[] = []
  const close = async (): Promise<void> => { for (const n of nodes.splice(0)) n.tracker.close() }
  try {
    for (let i = 0; i < count; i++) nodes.push(await openMemoryNode({ dataDir: join(dir, `node-${i + 1}`), now }))
  } catch (err) {
    await close()
    throw err
  }
  let active = founders
  return {
    trackerOf: i => at(nodes, i, 'node').tracker,
    record: (i, o) => { at(nodes, i, 'node').tracker.record(inputOf(o)) },
    exchange: async round => await exchangeDeltas(nodes.slice(0, active), round),
    join: () => {
      const report = syncFrom(at(nodes, active, 'node'), at(nodes, 0, 'node'))
      active++
      return report
    },
    close
  }
}

async function openLive (count: number, dir: string, log: (line: string) => void): Promise<PolicyNodes> {
  const hive = await (await import('./replay-live.js')).openLiveHive({ nodes: count, dataDir: dir, log })
  return {
    trackerOf: i => at(hive.trackers, i, 'node'),
    record: (i, o) => { hive.record(i, [inputOf(o)]) },
    exchange: async round => await hive.exchange(round),
    join: () => { throw new Error('a late node is not simulated over --live') },
    close: hive.close
  }
}

async function openCentral (dir: string, nowMs: number): Promise<PolicyNodes> {
  const node = await openMemoryNode({ dataDir: join(dir, 'central'), now: () => nowMs })
  return {
    trackerOf: () => node.tracker,
    record: (_, o) => { node.tracker.record(inputOf(o)) },
    exchange: async () => { throw new Error('the central policy has one store: nothing to exchange') },
    join: () => { throw new Error('the central policy has one store: nothing to join') },
    close: async () => { node.tracker.close() }
  }
}

export const reportEveryOf = (o: SimulateOptions): number => o.reportEvery ?? (o.shareEvery > 0 ? o.shareEvery : 10)
const ratio = (a: number, b: number): number => b === 0 ? 0 : a / b

/** One policy, one seed: N nodes route T tasks each through route(), observe, record and share. */
export async function runPolicy (world: World, policy: Policy, o: SimulateOptions, seed: number): Promise<SeedRun> {
  const started = performance.now()
  const N = o.nodes
  const T = o.tasks
  const shares = policy.learning === 'hive' && o.shareEvery > 0
  const withLate = o.lateNode && policy.name === 'hive' && shares && !o.live && T >= 2
  const joinAt = Math.floor(T / 2)
  const count = N + (withLate ? 1 : 0)
  // per node: its task arrivals, its outcome draws and its route's chance
  const streams = Array.from({ length: count }, (_, i) => ({ arrivals: taskArrivals(world, seed, i, o.skew), draw: outcomeDraws(seed, i), random: streamOf(seed, 'route', i) }))
  const truth = new Map(world.taskTypes.map(t => [t, truthRanking(t)]))
  const reportEvery = reportEveryOf(o)

  const tmp = mkdtempSync(join(tmpdir(), `hivebench-simulate-${policy.name}-`))
  const nowMs = Date.now()
  let nodes: PolicyNodes | null = null
  try {
    nodes = policy.learning === 'truth'
      ? null
      : policy.learning === 'central'
        ? await openCentral(tmp, nowMs)
        : policy.learning === 'hive' && o.live
          ? await openLive(count, tmp, o.log ?? (() => {}))
          : await openInProcess(count, withLate ? N : count, tmp, nowMs)
    const steps: StepPoint[] = []
    const bestPerTask: number[] = []
    const late: boolean[] | null = withLate ? [] : null
    let regret = 0; let stepBest = 0; let stepDecisions = 0; let bytes = 0
    const regretByMode: Record<RouteMode, number> = { exploit: 0, explore: 0, cold_start: 0 }
    const modeShare: Record<RouteMode, number> = { exploit: 0, explore: 0, cold_start: 0 }
    const rankingOf = (i: number, t: SimTaskType): ReturnType<typeof truthRanking> => nodes === null
      ? truth.get(t) ?? []
      : withCandidates(nodes.trackerOf(i).best(t.taskType, { scope: policy.scope }).ranking, t)
    for (let task = 1; task <= T; task++) {
      let best = 0
      for (const [i, { arrivals, draw, random }] of streams.entries()) {
        const isLate = withLate && i === N
        if (isLate && task <= joinAt) continue
        const taskType = arrivals()
        const { arm, mode } = choose(policy, rankingOf(i, taskType), taskType, random)
        nodes?.record(i, draw(arm))
        const hit = taskType.best.has(arm.key)
        if (isLate) { late?.push(hit); continue }
        regret += taskType.bestRate - arm.rate
        regretByMode[mode] += (taskType.bestRate - arm.rate) / N
        modeShare[mode] += 1 / (N * T)
        if (hit) best++
      }
      bestPerTask.push(best)
      stepBest += best; stepDecisions += N
      if (shares && task % o.shareEvery === 0 && nodes !== null) bytes += (await nodes.exchange(task / o.shareEvery)).delivered
      if (withLate && task === joinAt && nodes !== null) bytes += nodes.join().delivered
      if (task % reportEvery === 0 || task === T) {
        steps.push({ task, policy: policy.name, cumulativeRegret: regret / N, bestArmShare: ratio(stepBest, stepDecisions), bytes })
        stepBest = 0; stepDecisions = 0
      }
    }
    return { seed, policy: policy.name, steps, bestPerTask, late, regretByMode, modeShare, seconds: (performance.now() - started) / 1000 }
  } finally {
    await nodes?.close()
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** The late node against the founders over the same tasks, pooled over seeds. */
export function lateNodeReport (runs: SeedRun[], o: SimulateOptions): LateNodeReport | null {
  const hive = runs.filter(r => r.policy === 'hive' && r.late !== null)
  if (hive.length === 0) return null
  const joinAt = Math.floor(o.tasks / 2)
  const span = o.tasks - joinAt
  const window = Math.min(20, span)
  const lateHits = (k: number): number => hive.reduce((s, r) => s + (r.late as boolean[]).slice(0, k).filter(Boolean).length, 0)
  const hiveHits = (k: number): number => hive.reduce((s, r) => s + r.bestPerTask.slice(joinAt, joinAt + k).reduce((a, b) => a + b, 0), 0)
  let tasksToReach: number | null = null
  for (let k = 1; k <= span && tasksToReach === null; k++) {
    if (ratio(lateHits(k), hive.length * k) >= ratio(hiveHits(k), hive.length * k * o.nodes)) tasksToReach = k
  }
  const local = runs.filter(r => r.policy === 'local')
  const aloneHits = local.reduce((s, r) => s + r.bestPerTask.slice(0, window).reduce((a, b) => a + b, 0), 0)
  return {
    joinAt,
    window,
    lateShare: ratio(lateHits(window), hive.length * window),
    hiveShare: ratio(hiveHits(window), hive.length * window * o.nodes),
    aloneShare: local.length === 0 ? null : ratio(aloneHits, local.length * window * o.nodes),
    tasksToReach,
    curve: Array.from({ length: window }, (_, k) => ratio(hive.filter(r => (r.late as boolean[])[k]).length, hive.length))
  }
}

/** Means over seeds, step by step. */
function meanPoints (runs: SeedRun[], names: PolicyName[]): StepPoint[] {
  const out: StepPoint[] = []
  for (const policy of names) {
    const mine = runs.filter(r => r.policy === policy)
    const mean = (pick: (p: StepPoint) => number, k: number): number => mine.reduce((s, r) => s + pick(at(r.steps, k, 'step')), 0) / mine.length
    // every run of a policy reports at the same tasks
    mine[0]?.steps.forEach(({ task }, k) => {
      out.push({ task, policy, cumulativeRegret: mean(p => p.cumulativeRegret, k), bestArmShare: mean(p => p.bestArmShare, k), bytes: mean(p => p.bytes, k) })
    })
  }
  return out
}

/**
 * The closed loop of npm run simulate: for every seed and policy, N nodes each receive T tasks
 * from the task mix, ask route() for an arm, observe an outcome drawn from that arm's true pass
 * rate, record it in their own store and (sharing policies) exchange signed deltas every K tasks.
 */
export async function runSimulation (options: SimulateOptions, loaded?: World): Promise<SimulateResult> {
  validateSimulateOptions(options)
  const world = loaded ?? loadWorld(options.data)
  const log = options.log ?? (() => {})
  const table = policies(options.exploreShare)
  // the order of the policies given, duplicates dropped
  const names = [...new Set(options.policies)]
  const runs: SeedRun[] = []
  for (const seed of options.seeds) {
    for (const name of names) {
      const run = await runPolicy(world, table[name], options, seed)
      runs.push(run)
      const last = at(run.steps, run.steps.length - 1, 'step') // the last task always reports
      log(`seed ${seed} ${name}: cumulative regret ${last.cumulativeRegret.toFixed(2)} per node, best-arm share ${(100 * last.bestArmShare).toFixed(1)}% at the end, ${Math.round(last.bytes).toLocaleString('en-US')} bytes, ${run.seconds.toFixed(1)} s`)
    }
  }
  return { options, world, points: meanPoints(runs, names), runs, late: lateNodeReport(runs, options) }
}
