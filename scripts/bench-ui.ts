import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Table from 'cli-table3'
import type { Page } from 'playwright-core'
import { DAY_MS } from '../src/core/time.js'
import { createHttpServer } from '../src/http/server.js'
import { createMetrics } from '../src/hive/metrics.js'
import { openTracker } from '../src/tracker.js'
import { HAVE_CHROMIUM, launch, NO_CHROMIUM_LINE } from './lib/chromium.js'
import { fmt, rng } from './lib/measure.js'

/**
 * npm run bench:ui — time to first render of the dashboard's overview with 70 task types x 13
 * arms, and the bytes it transfers, beside the baseline of showing the raw JSON of /v1/stats in
 * the same browser (what a user had before the dashboard). Each figure is the median of RUNS
 * fresh pages with a cold cache, after one unmeasured warm-up (so both read the tracker's cached
 * rankings). Headless Debian Chromium on 127.0.0.1; the server runs in this process.
 */
const TASK_TYPES = 70
const TOOLS = ['aider', 'claude-code', 'codex', 'cursor', 'goose', 'openhands', 'cline', 'roo', 'amp', 'continue', 'mini-swe-agent', 'devin', 'plandex']
const PER_ARM = 30
const DAYS = 14
const RUNS = 11

interface Load { ms: number, bytes: number, requests: number }

/** Navigation to the overview until its table is drawn (the page's own performance mark). */
async function overview (page: Page, url: string): Promise<Load> {
  await page.goto(url + '/')
  await page.waitForFunction(() => performance.getEntriesByName('hivebench:first-render').length > 0)
  // runs in the page (a string: this script is compiled without the DOM's types)
  return await page.evaluate(`(() => {
    const ms = performance.getEntriesByName('hivebench:first-render')[0].startTime
    const nav = performance.getEntriesByType('navigation')[0]
    const resources = performance.getEntriesByType('resource').filter(r => r.responseEnd <= ms)
    return { ms, bytes: nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0), requests: 1 + resources.length }
  })()`)
}

/** The baseline: the raw JSON of /v1/stats, opened as a page, until it has loaded. */
async function rawStats (page: Page, url: string): Promise<Load> {
  await page.goto(url + '/v1/stats', { waitUntil: 'load' })
  return await page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0]
    return { ms: nav.loadEventEnd, bytes: nav.transferSize, requests: 1 }
  })()`)
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

async function main (): Promise<void> {
  if (!HAVE_CHROMIUM) {
    console.log(`bench:ui skipped: ${NO_CHROMIUM_LINE}`)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'hivebench-bench-ui-'))
  const tracker = openTracker({ dataDir: dir })
  const random = rng(18)
  const now = Date.now()
  const outcomes = []
  for (let t = 0; t < TASK_TYPES; t++) {
    for (const [a, tool] of TOOLS.entries()) {
      const rate = 0.2 + 0.6 * ((t * 7 + a * 13) % 17) / 16
      for (let i = 0; i < PER_ARM; i++) {
        outcomes.push({
          task_type: `repo-${String(t).padStart(2, '0')}/task`,
          tool,
          model: `model-${a % 4}`,
          outcome: random() < rate ? 'pass' : random() < 0.8 ? 'grader_fail' : 'timeout',
          duration_s: 5 + random() * 300,
          cost_usd: random() * 0.5,
          at: new Date(now - Math.floor(random() * DAYS) * DAY_MS).toISOString()
        })
      }
    }
  }
  tracker.recordBatch(outcomes)
  const server = createHttpServer({ tracker, metrics: createMetrics(), port: 0 })
  await server.start()
  const url = server.address()?.url ?? ''
  const browser = await launch()
  try {
    const measure = async (fn: (page: Page, url: string) => Promise<Load>): Promise<Load[]> => {
      const out: Load[] = []
      for (let i = 0; i <= RUNS; i++) {
        const page = await browser.context.newPage()
        // a cold cache each time: what a first visit costs
        const cdp = await browser.context.newCDPSession(page)
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
        const load = await fn(page, url)
        await page.close()
        if (i > 0) out.push(load) // the first run warms the tracker's ranking cache
      }
      return out
    }
    const dashboard = await measure(overview)
    const baseline = await measure(rawStats)
    const summary = (name: string, loads: Load[]): { name: string, ms: number, bytes: number, requests: number } =>
      ({ name, ms: median(loads.map(l => l.ms)), bytes: median(loads.map(l => l.bytes)), requests: median(loads.map(l => l.requests)) })
    const d = summary('dashboard overview (first render)', dashboard)
    const b = summary('baseline: raw JSON of /v1/stats', baseline)
    const rows = [d, b]
    const table = new Table({ head: ['page', 'median ms', 'bytes transferred', 'requests'], style: { head: [], border: [] } })
    for (const r of rows) table.push([r.name, fmt(r.ms, 0), fmt(r.bytes), String(r.requests)])
    console.log(`${TASK_TYPES} task types x ${TOOLS.length} arms (${fmt(outcomes.length)} outcomes over ${DAYS} days), ${RUNS} cold-cache runs each, headless Chromium on 127.0.0.1`)
    console.log(table.toString())
    console.log(`ratio dashboard / baseline: time ${(d.ms / b.ms).toFixed(2)}x, bytes ${(d.bytes / b.bytes).toFixed(2)}x`)
  } finally {
    await browser.close()
    await server.stop()
    tracker.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
