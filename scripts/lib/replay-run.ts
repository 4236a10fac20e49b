import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_RETENTION_DAYS } from '../../src/core/limits.js'
import type { Scope } from '../../src/store/index.js'
import { openTracker, type StoreTracker } from '../../src/tracker.js'
import { rng } from './measure.js'
import { agreement, armKey, deal, groundTruth, loadRows, score, shuffle, type Row, type TaskTruth } from './replay-data.js'
import { openMemoryHive, type ReplayHive } from './replay-hive.js'

export interface ReplayOptions {
  /** CSV or JSON Lines outcome file */
  data: string
  nodes: number
  rounds: number
  seed: number
  minSamples: number
  windowDays: number
  /** write every round's envelopes to DIR/envelopes/round-RR/node-NN.env and deliver them by reading the files */
  viaFilesDir?: string
  /** a live hive instead: N daemons (libp2p gossip + sync) on 127.0.0.1, see replay-live.ts */
  live?: boolean
  /** progress lines (one per round) */
  log?: (line: string) => void
}

export const SCOPES: Scope[] = ['local', 'hive']

/** One line of replay.csv, plus what the printed table shows besides. */
export interface RoundPoint {
  round: number
  scope: Scope
  /** share of (node, scored task type) answers that are one of the arms tied for the best pass rate */
  matchShare: number
  /** mean regret over (node, scored task type) answers (see replay-data.ts, score) */
  regret: number
  /**
   * envelope bytes delivered in this round (each envelope once per receiving node; live: every
   * envelope that reached a node's validator, by gossip or sync); the same on both scopes' lines
   */
  bytes: number
  /** share of (node, task type) answers equal to the single-node answer over all rows, up to ties */
  agreeSingle: number
  /** share of (node, scored task type) answers that were null (no arm with enough samples yet) */
  nullShare: number
}

export interface ReplayResult {
  options: ReplayOptions
  rows: number
  taskTypes: string[]
  /** task types without ground truth: no arm reaches min-samples even over the whole file */
  unscored: string[]
  truth: Map<string, TaskTruth>
  series: RoundPoint[]
  /** best() on one tracker holding every row, per task type, and how it scores against the truth */
  single: { answers: Map<string, string | null>, matchShare: number, regret: number }
  /** after the last round: every node's hive answers against the single-node answers */
  final: { same: number, tied: number, differs: Array<{ node: number, taskType: string, hive: string | null, single: string | null }>, total: number }
  /** verdicts of every receive(), e.g. { accepted: 450 } */
  verdicts: Record<string, number>
  bytesPublished: number
  bytesDelivered: number
  envelopes: number
}

export function validateOptions (o: ReplayOptions): void {
  const int = (name: string, v: number, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min} (got ${v})`)
  }
  int('nodes', o.nodes, 1); int('rounds', o.rounds, 1); int('seed', o.seed, 0)
  int('min-samples', o.minSamples, 1); int('window-days', o.windowDays, 1)
  if (o.windowDays > DEFAULT_RETENTION_DAYS) throw new Error(`--window-days must be at most ${DEFAULT_RETENTION_DAYS} (the retention window)`)
}

/**
 * Replays an outcome file through N simulated nodes in R rounds. Each round every node records
 * its next share of the (seeded-shuffled) rows, all stamped `at` = now; then every node exports
 * a signed delta and every other node receives each envelope (the real validate-and-merge path);
 * then every node answers best() for every task type in local and in hive scope. With `live`,
 * the nodes are daemons on 127.0.0.1 and the envelopes travel by gossipsub and sync instead.
 */
export async function runReplay (options: ReplayOptions): Promise<ReplayResult> {
  validateOptions(options)
  const log = options.log ?? (() => {})
  const nowMs = Date.now()
  const at = new Date(nowMs).toISOString()
  const rows: Row[] = loadRows(options.data).map(r => ({ ...r, at }))
  const truth = groundTruth(rows, options.minSamples)
  const taskTypes = [...truth.keys()]
  const scored = taskTypes.filter(t => truth.get(t)?.bestRate !== null)
  const rounds = deal(shuffle(rows, rng(options.seed)), options.nodes, options.rounds)
  const query = { minSamples: options.minSamples, windowDays: options.windowDays }
  const answerOf = (t: StoreTracker, taskType: string, scope: Scope): string | null => {
    const best = t.best(taskType, { ...query, scope }).best
    return best === null ? null : armKey(best.tool, best.model)
  }

  const tmp = mkdtempSync(join(tmpdir(), 'hivebench-replay-'))
  let hive: ReplayHive | null = null
  let reference: StoreTracker | null = null
  try {
    reference = openTracker({ dataDir: join(tmp, 'single'), now: () => nowMs, windowDays: options.windowDays, minSamples: options.minSamples })
    reference.recordBatch(rows)
    const singleAnswers = new Map(taskTypes.map(t => [t, answerOf(reference as StoreTracker, t, 'local')]))
    const singleScores = scored.map(t => score(truth.get(t) as TaskTruth, singleAnswers.get(t) ?? null)).filter(s => s !== null)

    const hiveOptions = { nodes: options.nodes, dataDir: tmp, nowMs, windowDays: options.windowDays, minSamples: options.minSamples, filesDir: options.viaFilesDir }
    const h = options.live === true
      ? await (await import('./replay-live.js')).openLiveHive({ ...hiveOptions, log })
      : await openMemoryHive(hiveOptions)
    hive = h
    const trackers = h.trackers

    const series: RoundPoint[] = []
    const verdicts: Record<string, number> = {}
    let bytesPublished = 0
    let bytesDelivered = 0
    let envelopes = 0
    let lastHive: Array<Map<string, string | null>> = []
    // deal() gave options.rounds rounds of one hand per node
    for (const [r, hands] of rounds.entries()) {
      hands.forEach((hand, i) => { h.record(i, hand) })
      const moved = await h.exchange(r + 1)
      for (const [k, v] of Object.entries(moved.verdicts)) verdicts[k] = (verdicts[k] ?? 0) + v
      bytesPublished += moved.published
      bytesDelivered += moved.delivered
      envelopes += moved.envelopes

      const parts: string[] = []
      for (const scope of SCOPES) {
        const answers = trackers.map(t => new Map(taskTypes.map(tt => [tt, answerOf(t, tt, scope)])))
        if (scope === 'hive') lastHive = answers
        let matches = 0; let regret = 0; let nulls = 0; let scoredAnswers = 0; let agree = 0
        for (const byType of answers) {
          for (const t of taskTypes) {
            const answer = byType.get(t) ?? null
            const tt = truth.get(t) as TaskTruth
            if (agreement(tt, answer, singleAnswers.get(t) ?? null) !== 'differs') agree++
            const s = score(tt, answer)
            if (s === null) continue
            scoredAnswers++
            if (s.match) matches++
            if (answer === null) nulls++
            regret += s.regret
          }
        }
        const point: RoundPoint = {
          round: r + 1,
          scope,
          matchShare: ratio(matches, scoredAnswers),
          regret: ratio(regret, scoredAnswers),
          bytes: moved.delivered,
          agreeSingle: ratio(agree, answers.length * taskTypes.length),
          nullShare: ratio(nulls, scoredAnswers)
        }
        series.push(point)
        parts.push(`${scope} match ${pct(point.matchShare)} regret ${point.regret.toFixed(4)} (= single ${pct(point.agreeSingle)})`)
      }
      log(`round ${r + 1}/${options.rounds}: ${parts.join(' | ')} | bytes ${moved.delivered.toLocaleString('en-US')} delivered (${moved.published.toLocaleString('en-US')} published)`)
    }

    const final: ReplayResult['final'] = { same: 0, tied: 0, differs: [], total: 0 }
    lastHive.forEach((byType, node) => {
      for (const t of taskTypes) {
        const hive = byType.get(t) ?? null
        const single = singleAnswers.get(t) ?? null
        const a = agreement(truth.get(t) as TaskTruth, hive, single)
        final.total++
        if (a === 'same') final.same++
        else if (a === 'tied') final.tied++
        else final.differs.push({ node: node + 1, taskType: t, hive, single })
      }
    })

    return {
      options,
      rows: rows.length,
      taskTypes,
      unscored: taskTypes.filter(t => !scored.includes(t)),
      truth,
      series,
      single: {
        answers: singleAnswers,
        matchShare: ratio(singleScores.filter(s => s.match).length, singleScores.length),
        regret: ratio(singleScores.reduce((s, x) => s + x.regret, 0), singleScores.length)
      },
      final,
      verdicts,
      bytesPublished,
      bytesDelivered,
      envelopes
    }
  } finally {
    reference?.close()
    await hive?.close()
    rmSync(tmp, { recursive: true, force: true })
  }
}

const ratio = (a: number, b: number): number => b === 0 ? 0 : a / b
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`
