import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { dayOf } from '../src/core/time.js'
import { emptyCounters, type CounterEntry } from '../src/core/types.js'
import { createMetrics } from '../src/hive/metrics.js'
import { createHttpServer } from '../src/http/server.js'
import { encodeEnvelope, MAX_ENTRIES } from '../src/protocol/index.js'
import { DEFAULT_RANK_POLICY } from '../src/core/ranking.js'
import { MAX_ARMS_PER_TASK_TYPE, type OriginBounds } from '../src/store/index.js'
import { fmt } from './lib/measure.js'
import { buildHonestHive, openVictim, type HonestHive, type Node } from './lib/poison-hive.js'
import { loadRows } from './lib/replay-data.js'
import { DEFAULT_DATA } from './replay.js'
import { isEntryPoint } from './lib/entry.js'

/**
 * npm run bench:arms -- [--data FILE] [--requests N] [--arms A] [--sybils K]
 *
 * What junk arms cost every answer (R30, protocol/README.md "Arms per task type"): the real
 * outcome file dealt to 10 honest origins (scripts/lib/poison-hive.ts), the victim serving its
 * HTTP API on 127.0.0.1; then GET /v1/best and /v1/route for the task type with the most arms,
 * uncached (one outcome recorded in another task type before each request), p50 latency and
 * bytes of the answer, for: no attack; one origin adding A arms of n = 2 to that task type with
 * R30 off (the receiver before R30) and on; K identities adding 64 arms each (what R30 lets
 * Sybils add). Ratios against the no-attack run of the same process.
 */

const NOW = Date.parse('2026-11-23T12:00:00Z')
/** unmeasured requests before each figure (the JIT warms up on the first scenario) */
const WARMUP = 20

interface Options { data: string, requests: number, arms: number, sybils: number }

function parse (argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: DEFAULT_DATA() },
      requests: { type: 'string', default: '30' },
      arms: { type: 'string', default: '35000' },
      sybils: { type: 'string', default: '100' }
    }
  })
  return { data: values.data, requests: Number(values.requests), arms: Number(values.arms), sybils: Number(values.sybils) }
}

/** `count` arms of n = 2 in `taskType`, signed by `key`, in envelopes within the entry bound. */
function junkEnvelopes (key: Ed25519PrivateKey, taskType: string, count: number, prefix: string): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let from = 0, seq = 1; from < count; from += MAX_ENTRIES, seq++) {
    const entries: CounterEntry[] = Array.from({ length: Math.min(MAX_ENTRIES, count - from) }, (_, i) => (
      { ...emptyCounters(), taskType, tool: `${prefix}-${from + i}`, model: '', day: dayOf(NOW), n: 2, pass: 2, grader_fail: 0 }))
    out.push(encodeEnvelope({ seq, kind: 'delta', createdAtMs: NOW, entries }, key))
  }
  return out
}

interface Measured { p50Ms: number, bytes: number, armsTotal: number }

/** p50 latency and size of `requests` uncached GETs of `path`. */
async function measure (victim: Node, url: string, requests: number): Promise<Measured> {
  const samples: number[] = []
  let bytes = 0
  let armsTotal = 0
  for (let i = 0; i < requests + WARMUP; i++) {
    // a write elsewhere: the ranking cache is keyed by the store's change stamp
    victim.tracker.record({ task_type: 'bench-arms-other', tool: 'x', success: true })
    const t0 = performance.now()
    const res = await fetch(url)
    const body = await res.text()
    const ms = performance.now() - t0
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`)
    if (i < WARMUP) continue
    samples.push(ms)
    bytes = body.length
    armsTotal = (JSON.parse(body) as { arms_total?: number }).arms_total ?? armsTotal
  }
  samples.sort((a, b) => a - b)
  return { p50Ms: samples[Math.floor(samples.length / 2)] ?? Number.NaN, bytes, armsTotal }
}

interface Scenario { name: string, bounds?: Partial<OriginBounds>, attack: (victim: Node, taskType: string) => Promise<void> }

export async function main (o: Options): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hivebench-arms-'))
  try {
    const hive: HonestHive = await buildHonestHive(loadRows(o.data), 10, 1, NOW, dir)
    const probe = await openVictim(hive, DEFAULT_RANK_POLICY, NOW, dir)
    const [widest] = probe.tracker.stats().task_types.map(t => ({ t: t.task_type, arms: t.arms_total })).sort((a, b) => b.arms - a.arms)
    if (widest === undefined) throw new Error(`${o.data}: no task type`)
    const taskType = widest.t
    probe.tracker.close()
    const receive = (victim: Node, envelopes: Uint8Array[]): void => { for (const e of envelopes) victim.receiver.receive(e) }
    const scenarios: Scenario[] = [
      { name: 'no attack', attack: async () => {} },
      { name: `1 origin, ${fmt(o.arms)} arms, R30 off`, bounds: { maxArmsPerTaskType: Infinity }, attack: async (v, t) => { receive(v, junkEnvelopes(await generateKeyPair('Ed25519'), t, o.arms, 'junk')) } },
      { name: `1 origin, ${fmt(o.arms)} arms, R30 on`, attack: async (v, t) => { receive(v, junkEnvelopes(await generateKeyPair('Ed25519'), t, o.arms, 'junk')) } },
      {
        name: `${o.sybils} identities x ${MAX_ARMS_PER_TASK_TYPE} arms, R30 on`,
        attack: async (v, t) => { for (let k = 0; k < o.sybils; k++) receive(v, junkEnvelopes(await generateKeyPair('Ed25519'), t, MAX_ARMS_PER_TASK_TYPE, `sybil${k}`)) }
      }
    ]
    console.log(`bench:arms: ${o.data}, 10 honest origins; task type ${taskType}; ${o.requests} uncached requests per figure (p50), answers of the default 50 arms`)
    console.log(['scenario', 'arms_total', 'GET /v1/best p50', 'bytes', 'GET /v1/route p50', 'bytes'].join(' | '))
    let base: { best: Measured, route: Measured } | undefined
    for (const s of scenarios) {
      const victim = await openVictim(hive, DEFAULT_RANK_POLICY, NOW, dir, s.bounds)
      const server = createHttpServer({ tracker: victim.tracker, metrics: createMetrics(), host: '127.0.0.1', port: 0 })
      try {
        await s.attack(victim, taskType)
        await server.start()
        const url = `http://127.0.0.1:${server.address()?.port ?? 0}`
        const q = `task_type=${encodeURIComponent(taskType)}`
        const best = await measure(victim, `${url}/v1/best?${q}`, o.requests)
        const route = await measure(victim, `${url}/v1/route?${q}`, o.requests)
        base ??= { best, route }
        const ratio = (x: number, b: number): string => base === undefined || s.name === 'no attack' ? '' : ` (${(x / b).toFixed(1)}x)`
        console.log([s.name, fmt(best.armsTotal), `${best.p50Ms.toFixed(1)} ms${ratio(best.p50Ms, base.best.p50Ms)}`, `${fmt(best.bytes)}${ratio(best.bytes, base.best.bytes)}`,
          `${route.p50Ms.toFixed(1)} ms${ratio(route.p50Ms, base.route.p50Ms)}`, `${fmt(route.bytes)}${ratio(route.bytes, base.route.bytes)}`].join(' | '))
      } finally {
        await server.stop()
        victim.tracker.close()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (isEntryPoint(import.meta.url)) {
  await main(parse(process.argv.slice(2)))
}
