import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import Table from 'cli-table3'
import type { OutcomeInput } from '../src/core/outcome.js'
import { createHttpServer } from '../src/http/server.js'
import { createMetrics } from '../src/hive/metrics.js'
import { openTracker, type StoreTracker } from '../src/tracker.js'
import { fmt, latency, rng, throughput } from './lib/measure.js'
import { agentShapedBatches, syntheticOutcomes } from './lib/synthetic.js'

/**
 * npm run bench:http — what the HTTP API costs over the embedded API: single-outcome POSTs and
 * batches of 1,000 from 16 keep-alive connections (agents posting at once; agent-shaped batches
 * also from one connection, one at a time), and GET /v1/best latency, each beside the same
 * operation on a tracker in this process (which records one call at a time). The server runs on 127.0.0.1 in the main thread; the
 * load comes from a worker thread, as an agent in another process would (sharing the server's
 * event loop would halve the server's figures). Loopback only; every run stops by itself.
 */
const CONNECTIONS = 16
const SINGLE_MAX = 30_000
const TIME_LIMIT_MS = 10_000
const BATCH = 1_000
const BATCHES = 100
/** agent-shaped batches are quick: more of them, for a steadier figure */
const AGENT_BATCHES = 300
const QUERIES = 2_000
const SEED_OUTCOMES = 100_000
const NOW = Date.now()
const SHAPE = { taskTypes: 20, tools: 10, models: 5, days: 30, nowMs: NOW }
const taskType = (i: number): string => `task_${i % SHAPE.taskTypes}`

interface LoadReport {
  single: { requests: number, seconds: number, failures: number }
  batched: Throughput
  agentBatched: Throughput
  agentBatchedOneConnection: Throughput
  best: Latency
  health: Latency
}

interface Throughput { outcomes: number, seconds: number, failures: number }

/** BATCHES batches of BATCH outcomes, each outcome on a random key of the 30,000. */
const randomBatches = (next: () => OutcomeInput): OutcomeInput[][] => Array.from({ length: BATCHES }, () => Array.from({ length: BATCH }, next))

interface Latency { p50: number, p99: number, failures: number }

const percentile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN

/** The load generator (worker thread): plain node:http over keep-alive sockets, bodies encoded up front. */
async function generateLoad (port: number): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  const send = async (method: string, path: string, body?: Buffer): Promise<number> => await new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': body.length }
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, res => {
      res.resume()
      res.on('end', () => { resolve(res.statusCode ?? 0) })
    })
    req.on('error', reject)
    req.end(body)
  })
  const next = syntheticOutcomes(rng(7), SHAPE)
  const ok = (status: number): number => status >= 200 && status < 300 ? 0 : 1

  const singles = Array.from({ length: SINGLE_MAX }, () => Buffer.from(JSON.stringify(next())))
  let sent = 0
  let singleFailures = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (sent < SINGLE_MAX && performance.now() - t0 < TIME_LIMIT_MS) singleFailures += ok(await send('POST', '/v1/outcomes', singles[sent++]))
  }))
  const single = { requests: sent, seconds: (performance.now() - t0) / 1000, failures: singleFailures }

  // Batches from `connections` agents at once, each posting its next batch when the last is answered.
  const postBatches = async (batches: OutcomeInput[][], connections: number): Promise<Throughput> => {
    const bodies = batches.map(outcomes => Buffer.from(JSON.stringify({ outcomes })))
    let failures = 0
    let taken = 0
    const t1 = performance.now()
    await Promise.all(Array.from({ length: connections }, async () => {
      while (taken < bodies.length) failures += ok(await send('POST', '/v1/outcomes', bodies[taken++]))
    }))
    return { outcomes: bodies.length * BATCH, seconds: (performance.now() - t1) / 1000, failures }
  }
  const batched = await postBatches(randomBatches(next), CONNECTIONS)
  const agentBatched = await postBatches(agentShapedBatches(next, SHAPE, AGENT_BATCHES, BATCH), CONNECTIONS)
  const agentBatchedOneConnection = await postBatches(agentShapedBatches(next, SHAPE, AGENT_BATCHES, BATCH), 1)

  // One request at a time, after 200 unmeasured ones.
  const latencyOf = async (path: (i: number) => string): Promise<Latency> => {
    let failures = 0
    const samples = new Float64Array(QUERIES)
    for (let i = -200; i < QUERIES; i++) {
      const t = performance.now()
      failures += ok(await send('GET', path(i + 200)))
      if (i >= 0) samples[i] = performance.now() - t
    }
    samples.sort()
    return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), failures }
  }
  const best = await latencyOf(i => `/v1/best?task_type=${taskType(i)}`)
  const health = await latencyOf(() => '/healthz')
  agent.destroy()
  return { single, batched, agentBatched, agentBatchedOneConnection, best, health }
}

function seeded (dir: string): StoreTracker {
  const tracker = openTracker({ dataDir: dir, now: () => NOW })
  const next = syntheticOutcomes(rng(42), SHAPE)
  for (let done = 0; done < SEED_OUTCOMES; done += BATCH) tracker.recordBatch(Array.from({ length: BATCH }, next))
  return tracker
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hivebench-bench-http-'))
  try {
    // Embedded baseline: the same operations on a tracker seeded the same way.
    const embedded = seeded(join(dir, 'embedded'))
    const next = syntheticOutcomes(rng(7), SHAPE)
    const singles: OutcomeInput[] = Array.from({ length: SINGLE_MAX }, next)
    const singleRate = throughput(singles.length, () => { for (const o of singles) embedded.record(o) })
    const batchRateOf = (batches: OutcomeInput[][]): number => throughput(batches.length * BATCH, () => { for (const b of batches) embedded.recordBatch(b) })
    const batchRate = batchRateOf(randomBatches(next))
    const agentBatchRate = batchRateOf(agentShapedBatches(next, SHAPE, AGENT_BATCHES, BATCH))
    const best = latency(i => embedded.best(taskType(i)), QUERIES)
    embedded.close()

    const tracker = seeded(join(dir, 'http'))
    const server = createHttpServer({ tracker, metrics: createMetrics(), host: '127.0.0.1', port: 0 })
    await server.start()
    const port = server.address()?.port ?? 0
    const worker = new Worker(new URL(import.meta.url), { workerData: { port } })
    const load = await new Promise<LoadReport>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    await worker.terminate()
    await server.stop()
    tracker.close()

    const failures = load.single.failures + load.batched.failures + load.agentBatched.failures + load.agentBatchedOneConnection.failures + load.best.failures + load.health.failures
    const httpSingle = load.single.requests / load.single.seconds
    const httpBatch = load.batched.outcomes / load.batched.seconds
    const httpAgentBatch = load.agentBatched.outcomes / load.agentBatched.seconds
    const httpAgentBatchOne = load.agentBatchedOneConnection.outcomes / load.agentBatchedOneConnection.seconds
    console.log(`hivebench bench:http  (server on 127.0.0.1 in the main thread, load from a worker thread; ${fmt(SEED_OUTCOMES)} outcomes seeded; ${failures} failed requests)\n`)
    const table = new Table({ head: ['operation', 'embedded API', 'HTTP API', 'HTTP overhead'], style: { head: [], border: [] } })
    table.push(
      [`record one outcome per call (HTTP: ${CONNECTIONS} keep-alive connections, ${fmt(load.single.requests)} POSTs)`, `${fmt(singleRate)} /s`, `${fmt(httpSingle)} /s`, `${fmt(singleRate / httpSingle, 1)}x slower`],
      [`record batches of ${fmt(BATCH)}, random keys (outcomes; HTTP: ${CONNECTIONS} connections)`, `${fmt(batchRate)} /s`, `${fmt(httpBatch)} /s`, `${fmt(batchRate / httpBatch, 1)}x slower`],
      [`record batches of ${fmt(BATCH)}, agent-shaped: one task type and day each (outcomes; HTTP: ${CONNECTIONS} connections)`, `${fmt(agentBatchRate)} /s`, `${fmt(httpAgentBatch)} /s`, `${fmt(agentBatchRate / httpAgentBatch, 1)}x slower`],
      [`  the same from one connection, one batch at a time`, `${fmt(agentBatchRate)} /s`, `${fmt(httpAgentBatchOne)} /s`, `${fmt(agentBatchRate / httpAgentBatchOne, 1)}x slower`],
      ['best() / GET /v1/best p50', `${best.p50.toFixed(3)} ms`, `${load.best.p50.toFixed(3)} ms`, `+${(load.best.p50 - best.p50).toFixed(3)} ms`],
      ['best() / GET /v1/best p99', `${best.p99.toFixed(3)} ms`, `${load.best.p99.toFixed(3)} ms`, `+${(load.best.p99 - best.p99).toFixed(3)} ms`],
      ['(the HTTP floor) GET /healthz p50 / p99', '-', `${load.health.p50.toFixed(3)} / ${load.health.p99.toFixed(3)} ms`, '']
    )
    console.log(table.toString())
    if (failures > 0) process.exitCode = 1
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (isMainThread) await main()
else parentPort?.postMessage(await generateLoad((workerData as { port: number }).port))
