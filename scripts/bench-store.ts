import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import Table from 'cli-table3'
import type { OutcomeInput } from '../src/core/outcome.js'
import { dayOf } from '../src/core/time.js'
import { openTracker } from '../src/tracker.js'
import { fmt, latency, rng, throughput } from './lib/measure.js'
import { agentShapedBatches, syntheticOutcomes } from './lib/synthetic.js'

/**
 * npm run bench:store — record throughput (batched and single) and best() latency at 10k, 100k
 * and 1M outcomes (20 task types x 10 tools x 5 models x 30 days), beside the baseline that
 * existing trackers use: a row per outcome and a GROUP BY over those rows (given a (task_type,
 * day) index), filled with the same outcomes in the same process.
 */
const SIZES = [10_000, 100_000, 1_000_000]
const BATCH = 1_000
const QUERIES = 2_000
const CALLERS = 16
const NOW = Date.now()
const shape = { taskTypes: 20, tools: 10, models: 5, days: 30, nowMs: NOW }

/**
 * One outcome per call from CALLERS concurrent callers, each awaiting its answer before its next
 * call (an agent fleet, or the HTTP API's requests): recordSoon commits what arrived together.
 */
async function groupCommitRate (dataDir: string, inputs: OutcomeInput[]): Promise<number> {
  const tracker = openTracker({ dataDir, now: () => NOW })
  const t0 = performance.now()
  let taken = 0
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (taken < inputs.length) await tracker.recordSoon(inputs[taken++])
  }))
  const rate = inputs.length / ((performance.now() - t0) / 1000)
  tracker.close()
  return rate
}

const dir = mkdtempSync(join(tmpdir(), 'hivebench-bench-'))
try {
  const next = syntheticOutcomes(rng(42), shape)
  const tracker = openTracker({ dataDir: join(dir, 'batched'), now: () => NOW })
  const baselineDb = new Database(join(dir, 'baseline.db'))
  baselineDb.pragma('journal_mode = WAL')
  baselineDb.exec(`CREATE TABLE outcomes (task_type TEXT, tool TEXT, model TEXT, outcome TEXT, duration_s REAL, cost_usd REAL, day INTEGER);
    CREATE INDEX outcomes_task_day ON outcomes (task_type, day)`)
  const baselineInsert = baselineDb.prepare('INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)')
  const baselineRecord = baselineDb.transaction((batch: OutcomeInput[]) => {
    for (const o of batch) baselineInsert.run(o.task_type, o.tool, o.model, o.outcome, o.duration_s, o.cost_usd, dayOf(Date.parse(o.at ?? '')))
  })
  const baseline = baselineDb.prepare(`SELECT tool, model, COUNT(*) AS n, SUM(outcome = 'pass') AS pass, AVG(duration_s) AS avg_s, AVG(cost_usd) AS cost
    FROM outcomes WHERE task_type = ? AND day >= ? GROUP BY tool, model`)
  const startDay = dayOf(NOW) - 29
  const taskType = (i: number): string => `task_${i % shape.taskTypes}`

  const rows: string[][] = []
  let recorded = 0
  let batchedSeconds = 0
  let best1k = 0
  for (const size of SIZES) {
    while (recorded < size) {
      const batch = Array.from({ length: BATCH }, next)
      const t0 = performance.now()
      tracker.recordBatch(batch)
      batchedSeconds += (performance.now() - t0) / 1000
      baselineRecord(batch)
      recorded += BATCH
    }
    // cold: an untimed write before each call changes the database, so nothing is served from the query cache
    const best = latency(i => tracker.best(taskType(i)), QUERIES, 200, () => { tracker.record(next()) })
    const warm = latency(i => tracker.best(taskType(i)), QUERIES)
    const base = latency(i => baseline.all(taskType(i), startDay), Math.min(QUERIES, 200), 20)
    if (size === SIZES[0]) best1k = best.p99
    rows.push([fmt(size), best.p50.toFixed(3), best.p99.toFixed(3), warm.p50.toFixed(4), warm.p99.toFixed(4), base.p50.toFixed(2), base.p99.toFixed(2), `${fmt(base.p50 / best.p50, 0)}x`])
  }
  const batchedRate = recorded / batchedSeconds
  tracker.close()
  baselineDb.close()

  // Agent-shaped batches: each batch of 1,000 is one agent's run, one task type on one day
  // (its 10 tools x 5 models: 50 keys), the shape a node sees from an agent or an import.
  const agent = openTracker({ dataDir: join(dir, 'agent'), now: () => NOW })
  const agentBatches = agentShapedBatches(next, shape, 500, BATCH)
  const agentRate = throughput(agentBatches.length * BATCH, () => { for (const batch of agentBatches) agent.recordBatch(batch) })
  agent.close()

  // Single outcomes are recorded as tasks finish (at = now), the way an agent reports them.
  const live = (): OutcomeInput => ({ ...next(), at: undefined })
  const single = openTracker({ dataDir: join(dir, 'single'), now: () => NOW })
  const singleInputs = Array.from({ length: 30_000 }, live)
  const singleRate = throughput(singleInputs.length, () => { for (const o of singleInputs) single.record(o) })
  single.close()
  const groupedRate = await groupCommitRate(join(dir, 'grouped'), Array.from({ length: 100_000 }, live))
  const groupedSpreadRate = await groupCommitRate(join(dir, 'grouped-spread'), Array.from({ length: 100_000 }, next))

  console.log('hivebench bench:store  (one process; baseline = GROUP BY over raw outcome rows with a (task_type, day) index)\n')
  console.log(`record, batches of ${BATCH}, random keys (each outcome a different key of 30,000; validation included): ${fmt(batchedRate)} outcomes/s   (target >= 300,000)`)
  console.log(`record, batches of ${BATCH}, agent-shaped (one task type and day per batch: 50 keys):            ${fmt(agentRate)} outcomes/s   (target >= 300,000)`)
  console.log(`record, one outcome per call, ${CALLERS} concurrent callers awaiting each (group commit), at = now:   ${fmt(groupedRate)} outcomes/s   (target >= 50,000)`)
  console.log(`  the same with each outcome on a random one of the 30 days (30,000 keys):                     ${fmt(groupedSpreadRate)} outcomes/s`)
  console.log(`  one outcome per call and per transaction (synchronous record()), at = now:                    ${fmt(singleRate)} outcomes/s\n`)
  const table = new Table({ head: ['outcomes', 'best() p50 ms', 'best() p99 ms', 'cached p50 ms', 'cached p99 ms', 'GROUP BY p50 ms', 'GROUP BY p99 ms', 'speed-up (p50, uncached)'], style: { head: [], border: [] } })
  table.push(...rows)
  console.log(table.toString())
  const p99At1M = Number(rows.at(-1)?.[2])
  console.log(`\nbest() p99 (uncached) at 1M / at 10k: ${(p99At1M / best1k).toFixed(2)}x   (targets: p99 <= 1 ms at 1M, <= 1.5x the 10k figure, >= 40x faster than the baseline at 1M)`)
  console.log('best() = the embedded API call (window totals, ranking, JSON shape); uncached = the database changed just before each call')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
