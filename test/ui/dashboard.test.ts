import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readOutcomeFile } from '../../src/ingest/outcome-file.js'
import { openTracker } from '../../src/tracker.js'
import { runCli } from '../helpers/cli.js'
import { killDaemons, startDaemon, type Daemon } from '../helpers/daemon.js'
import { eventually } from '../helpers/hive.js'
import { call, startApi } from '../http/helpers.js'
import { axeViolations, HAVE_CHROMIUM, launch, screenshot, SKIP_LINE, watchedPage, type Browser, type Watched } from './browser.js'
import { SWEBENCH_CSV } from '../helpers/data.js'


if (!HAVE_CHROMIUM) console.log(SKIP_LINE)

interface Arm { tool: string, model: string, n: number, pass: number, pass_rate: number | null, wilson_lower: number, wilson_upper: number, weighted_n: number, benchmarked: boolean }

const pct = (x: number | null): string => x === null ? '–' : `${(x * 100).toFixed(1)}%`
/** every arm of the SWE-bench file runs one tool: the task page names arms by model */
const modelOf = (a: { model: string }): string => a.model
const SHARED_MODEL = 'claude-opus-4-5-20251101'

describe.skipIf(!HAVE_CHROMIUM)('dashboard in headless Chromium, against a daemon holding the SWE-bench file', () => {
  let dataDir: string
  let daemon: Daemon
  let browser: Browser
  let peerDir: string
  let peerId: string
  const api = async (path: string, init?: Parameters<typeof call>[3]): Promise<any> => (await call(daemon.url, init?.body === undefined ? 'GET' : 'POST', path, init)).json

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hivebench-ui-'))
    const tracker = openTracker({ dataDir })
    const { rows } = readOutcomeFile(SWEBENCH_CSV)
    tracker.recordBatch(rows.map(r => r.input))
    tracker.close()
    ;[daemon, browser] = await Promise.all([startDaemon(dataDir), launch()])

    // A peer with 20 passes of its own on one django arm, so that arm has two origins.
    peerDir = mkdtempSync(join(tmpdir(), 'hivebench-ui-peer-'))
    const peerTracker = openTracker({ dataDir: peerDir })
    peerTracker.recordBatch(Array.from({ length: 20 }, () => ({ task_type: 'django/django', tool: 'mini-swe-agent', model: SHARED_MODEL, outcome: 'pass' })))
    peerTracker.close()
    const status = await api('/v1/status')
    const address = (status.node.addresses as string[]).find(a => a.includes('/127.0.0.1/')) as string
    const peer = await startDaemon(peerDir, ['--bootstrap', address.includes('/p2p/') ? address : `${address}/p2p/${status.node.peer_id}`, '--export-interval', '1'])
    peerId = (await call(peer.url, 'GET', '/v1/status')).json.node.peer_id
    await eventually(async () => {
      const r = await api(`/v1/arms?task_type=django%2Fdjango&by=origin`)
      return r.arms.some((a: { origins: unknown[] }) => a.origins.length === 2)
    }, 60_000, 250)
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    killDaemons()
    for (const dir of [dataDir, peerDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  /** opens a page, checks it stayed clean (no console error, no failed or refused request) */
  async function visit (path: string, ready: string, check: (w: Watched) => Promise<void>, base = daemon.url): Promise<void> {
    const w = await watchedPage(browser.context)
    try {
      await w.page.goto(base + path)
      await w.page.waitForSelector(ready, { timeout: 20_000 })
      await check(w)
      expect(w.problems).toEqual([])
    } finally {
      await w.page.close()
    }
  }

  it('overview: every task type, with the best arm GET /v1/best names, and no axe violation', async () => {
    const stats = await api('/v1/stats')
    const taskTypes: string[] = stats.task_types.map((t: { task_type: string }) => t.task_type)
    expect(taskTypes).toHaveLength(12)
    await visit('/', '#overview-table', async ({ page }) => {
      const rows = await page.$$eval('#overview-table tbody tr', trs => trs.map(tr => [...tr.children].map(c => (c as HTMLElement).innerText.trim())))
      expect(rows.map(r => r[0])).toEqual(taskTypes)
      for (const row of rows) {
        const best = (await api(`/v1/best?task_type=${encodeURIComponent(row[0])}`)).best as Arm | null
        expect(row[1]).toBe(best === null ? 'none yet' : `${best.tool} · ${best.model}`)
        expect(row[2]).toBe(pct(best?.pass_rate ?? null))
        if (best !== null) expect(row[3]).toBe(`${pct(best.wilson_lower)} – ${pct(best.wilson_upper)}`)
      }
      await screenshot(page, 'overview')
      // search narrows the list without a request
      await page.fill('#search', 'djan')
      expect(await page.$$eval('#overview-table tbody tr', trs => trs.length)).toBe(1)
      await page.fill('#search', '')
      // no gate page on a node without baselines
      expect(await page.$$eval('nav a', as => as.map(a => a.textContent))).toEqual(['Overview', 'Peers', 'API docs'])
      expect(await axeViolations(page)).toEqual([])
    })
  }, 60_000)

  it('task page: the Wilson chart, the ranking table and the per-origin table show what the API returns', async () => {
    const t = 'django/django'
    const best = await api(`/v1/best?task_type=${encodeURIComponent(t)}`)
    const byOrigin = await api(`/v1/arms?task_type=${encodeURIComponent(t)}&by=origin`)
    await visit(`/#/task/${encodeURIComponent(t)}`, '#origin-table', async ({ page }) => {
      const marks = await page.$$eval('#wilson-chart g[data-arm]', gs => gs.map(g => ({ arm: g.getAttribute('data-arm'), lower: Number(g.getAttribute('data-lower')), upper: Number(g.getAttribute('data-upper')) })))
      expect(marks).toEqual(best.ranking.map((a: Arm) => ({ arm: modelOf(a), lower: a.wilson_lower, upper: a.wilson_upper })))
      const ranking = await page.$$eval('#ranking-table tbody tr', trs => trs.map(tr => [...tr.children].map(c => (c as HTMLElement).innerText.trim())))
      expect(ranking.map(r => [r[0], r[1], r[3], r[4]])).toEqual(best.ranking.map((a: Arm) => [modelOf(a), a.n.toLocaleString('en-US'), pct(a.pass_rate), `${pct(a.wilson_lower)} – ${pct(a.wilson_upper)}`]))
      const origins = await page.$$eval('#origin-table tbody tr', trs => trs.map(tr => [...tr.children].map(c => (c as HTMLElement).innerText.trim())))
      const expected = byOrigin.arms.flatMap((a: { model: string, origins: Array<{ n: number, pass_rate: number, weighted_n: number, capped: boolean }> }) =>
        a.origins.map(o => [a.model, o.n.toLocaleString('en-US'), pct(o.pass_rate), String(o.weighted_n), o.capped ? 'yes' : 'no']))
      expect(origins.map(r => [r[0], r[2], r[3], r[4], r[5]])).toEqual(expected)
      // the arm the peer shares shows both origins: this node's 231 samples and the peer's 20
      const shared = origins.filter(r => r[0] === SHARED_MODEL)
      expect(shared.map(r => [r[1].endsWith('(this node)'), r[2]])).toEqual([[true, '231'], [false, '20']])
      expect(shared[1][1]).toBe(`${peerId.slice(0, 8)}…${peerId.slice(-6)}`)
      await screenshot(page, 'task')
      await screenshot(page, 'task-full', true)
      expect(await axeViolations(page)).toEqual([])
    })
  }, 60_000)

  it('5/5 ranks below 95/100 on the chart: its interval starts further left', async () => {
    await api('/v1/outcomes', { body: { outcomes: [
      ...Array.from({ length: 5 }, () => ({ task_type: 'ui/wilson', tool: 'lucky', outcome: 'pass' })),
      ...Array.from({ length: 100 }, (_, i) => ({ task_type: 'ui/wilson', tool: 'steady', outcome: i < 95 ? 'pass' : 'grader_fail' }))
    ] } })
    await visit('/#/task/ui%2Fwilson', '#wilson-chart g[data-arm]', async ({ page }) => {
      const bands = await page.$$eval('#wilson-chart g[data-arm]', gs => gs.map(g => ({ arm: g.getAttribute('data-arm'), x: Number(g.querySelector('rect')?.getAttribute('x')), rate: Number(g.querySelector('circle')?.getAttribute('cx')) })))
      expect(bands.map(b => b.arm)).toEqual(['steady', 'lucky'])
      expect(bands[1].rate).toBeGreaterThan(bands[0].rate) // the higher observed rate...
      expect(bands[1].x).toBeLessThan(bands[0].x) // ...with the lower bound further left, ranked second
    })
  }, 60_000)

  it('an outcome recorded over HTTP shows on the open page within 5 s, without a reload; nothing is refetched while nothing changes', async () => {
    await visit('/', '#overview-table', async ({ page, requests }) => {
      await page.evaluate(() => { (window as unknown as { notReloaded: boolean }).notReloaded = true })
      // idle from the end of start-up (the gate check included), through an export (a write to the
      // database from another process, but no counter) and three polls after it, however slow the
      // machine: the daemons keep exporting and syncing meanwhile too, which must not look like a change
      await page.waitForFunction(() => performance.getEntriesByName('hivebench:ready').length > 0)
      const before = requests.length
      const exported = runCli(['export-delta', '--snapshot', '--out', join(dataDir, 'idle.envelopes'), '--data-dir', dataDir, '--json'])
      expect(JSON.parse(exported.stdout), exported.stderr).toMatchObject({ written: true, kind: 'snapshot' })
      const after = requests.length
      await eventually(() => requests.slice(after).filter(r => r === '/v1/changes').length >= 3, 30_000, 100)
      const idle = requests.slice(before)
      expect(idle.filter(r => r !== '/v1/changes')).toEqual([])

      const posted = Date.now()
      await api('/v1/outcomes', { body: { task_type: 'ui/live', tool: 'aider', outcome: 'pass' } })
      await page.waitForSelector('#overview-table a[href="#/task/ui%2Flive"]', { timeout: 5000 })
      expect(Date.now() - posted).toBeLessThan(5000)
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true)
    })
  }, 60_000)

  it('peers page: this node, the connected peer, both origins and envelope counts, from /v1/peers and /v1/status', async () => {
    const status = await api('/v1/status')
    const short = `${peerId.slice(0, 8)}…${peerId.slice(-6)}`
    await visit('/#/peers', '#peers-table', async ({ page }) => {
      expect(await page.innerText('main')).toContain(status.node.peer_id)
      expect(await page.$$eval('#peers-table tbody tr', trs => trs.map(tr => (tr.children[0] as HTMLElement).innerText))).toEqual([short])
      const origins = await page.$$eval('#origins-table tbody tr', trs => trs.map(tr => (tr.children[0] as HTMLElement).innerText))
      expect(origins.sort()).toEqual([`${status.node.peer_id.slice(0, 8)}…${status.node.peer_id.slice(-6)} (this node)`, short].sort())
      const accepted = Object.entries(status.node.envelopes_received as Record<string, number>).filter(([k]) => k === 'accepted')
      expect(accepted).toHaveLength(1)
      expect(await page.$$eval('#verdicts-table tbody tr', trs => trs.map(tr => (tr.children[0] as HTMLElement).innerText))).toContain('accepted')
      await screenshot(page, 'peers', true)
      expect(await axeViolations(page)).toEqual([])
    })
  }, 60_000)

  it('peers page: each bootstrap address of /v1/status with its last dial error (a closed port on loopback)', async () => {
    // a port that was free a moment ago and is closed now: dialling it is refused at once
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => { resolve(port) })
      }).on('error', reject)
    })
    const address = `/ip4/127.0.0.1/tcp/${port}/p2p/12D3KooWMoTbSwgPZYn7nnmCqsXKS2ZcZUSjEy6zZrmQuBbxVjPj`
    const lonelyDir = mkdtempSync(join(tmpdir(), 'hivebench-ui-lonely-'))
    try {
      const lonely = await startDaemon(lonelyDir, ['--bootstrap', address])
      let bootstrap: Array<{ address: string, last_dial_error: string | null }> = []
      await eventually(async () => {
        bootstrap = (await call(lonely.url, 'GET', '/v1/status')).json.node.bootstrap
        return bootstrap[0]?.last_dial_error != null
      }, 30_000, 250)
      expect(bootstrap).toEqual([expect.objectContaining({ address, last_dial_error: expect.stringMatching(/refused/) })])
      await visit('/#/peers', '#bootstrap-table', async ({ page }) => {
        const rows = await page.$$eval('#bootstrap-table tbody tr', trs => trs.map(tr => [...tr.children].map(c => (c as HTMLElement).innerText.trim())))
        expect(rows).toEqual([[address, bootstrap[0].last_dial_error]])
        // the error is marked as one, not only written
        expect(await page.$$eval('#bootstrap-table tbody td span.bad', spans => spans.length)).toBe(1)
        expect(await page.innerText('#h-connected')).toBe('Connected peers (0)')
      }, lonely.url)
    } finally {
      rmSync(lonelyDir, { recursive: true, force: true })
    }
  }, 90_000)

  it('gate page, on a node whose API has baselines: the last gate result, the regression highlighted', async (ctx) => {
    const paths = (await api('/openapi.json')).paths as Record<string, unknown>
    // the baselines API comes with the upgrade gate; on a version without it there is no page to test
    if (!Object.hasOwn(paths, '/v1/baselines')) return ctx.skip()
    await api('/v1/outcomes', { body: { outcomes: Array.from({ length: 60 }, () => ({ task_type: 'ui/gate', tool: 'aider', outcome: 'pass' })) } })
    await api('/v1/baselines', { body: { name: 'ui-gate', task_types: ['ui/gate'] } })
    await api('/v1/outcomes', { body: { outcomes: Array.from({ length: 60 }, () => ({ task_type: 'ui/gate', tool: 'aider', outcome: 'grader_fail' })) } })
    const gate = await api('/v1/gate', { body: { baseline: 'ui-gate' } })
    expect(gate.verdict).toBe('regression')
    await visit('/#/gate', '.gate-table', async ({ page }) => {
      expect(await page.$$eval('nav a', as => as.map(a => a.textContent))).toContain('Gate')
      const rows = await page.$$eval('.gate-table tbody tr', trs => trs.map(tr => [...tr.children].map(c => (c as HTMLElement).innerText.trim())))
      const ui = rows.find(r => r[0] === 'ui/gate')
      expect(ui?.[3]).toBe('regression')
      expect(await page.$$eval('.gate-table strong.bad', els => els.map(e => e.textContent))).toContain('regression')
      await screenshot(page, 'gate')
      expect(await axeViolations(page)).toEqual([])
    })
  }, 60_000)

  it('is keyboard navigable and readable at phone width', async () => {
    const phone = await browser.context.newPage()
    try {
      await phone.setViewportSize({ width: 390, height: 844 })
      await phone.goto(daemon.url + '/')
      await phone.waitForSelector('#overview-table')
      // Tab from the top reaches the skip link, the nav, then the search box
      const focused: string[] = []
      for (let i = 0; i < 7; i++) {
        await phone.keyboard.press('Tab')
        focused.push(await phone.evaluate(() => (document.activeElement as HTMLElement).id || (document.activeElement as HTMLElement).innerText))
      }
      const nav = await phone.$$eval('nav a', as => as.map(a => (a as HTMLElement).innerText))
      expect(focused.slice(0, 2 + nav.length)).toEqual(['Skip to content', 'hivebench', ...nav])
      // a task link opens with Enter, and focus lands on the new page's heading
      await phone.focus('#overview-table a[href="#/task/django%2Fdjango"]')
      await phone.keyboard.press('Enter')
      await phone.waitForSelector('#wilson-chart svg')
      expect(await phone.evaluate(() => document.activeElement?.tagName)).toBe('H1')
      // nothing wider than the screen but the scrollable tables
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await screenshot(phone, 'task-phone')
      expect(await axeViolations(phone)).toEqual([])
    } finally {
      await phone.close()
    }
  }, 60_000)

  it('serves Swagger UI at /docs from the package, with no request leaving the node', async () => {
    await visit('/docs', '.swagger-ui .opblock', async ({ page, requests }) => {
      expect(await page.innerText('.swagger-ui')).toContain('/v1/arms')
      expect(requests.every(r => !r.startsWith('http'))).toBe(true)
    })
  }, 60_000)
})

describe.skipIf(!HAVE_CHROMIUM)('dashboard with a token in force', () => {
  it('asks for the token once, keeps it in sessionStorage and never in the URL', async () => {
    const token = 'ui-test-token-0123456789'
    const server = await startApi({ token })
    server.tracker.record({ task_type: 'bug_fix', tool: 'aider', outcome: 'pass' })
    const browser = await launch()
    try {
      const w = await watchedPage(browser.context)
      await w.page.goto(server.url + '/')
      await w.page.waitForSelector('#token')
      await w.page.fill('#token', 'wrong-token-0123456789')
      await w.page.keyboard.press('Enter')
      await w.page.waitForSelector('text=That token was refused.')
      await w.page.fill('#token', token)
      await w.page.keyboard.press('Enter')
      await w.page.waitForSelector('#overview-table')
      expect(await w.page.evaluate(() => sessionStorage.getItem('hivebench.token'))).toBe(token)
      await w.page.reload()
      await w.page.waitForSelector('#overview-table')
      expect(w.requests.some(r => r.includes(token))).toBe(false)
      expect(w.page.url()).not.toContain(token)
      // the refused attempts are the only errors: two 401s before the token was given
      expect(w.problems.filter(p => !p.includes('401'))).toEqual([])
    } finally {
      await browser.close()
    }
  }, 60_000)
})
