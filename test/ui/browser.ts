import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { NO_CHROMIUM_LINE } from '../../scripts/lib/chromium.js'

export { HAVE_CHROMIUM, launch, type Browser } from '../../scripts/lib/chromium.js'
export const SKIP_LINE = `UI tests skipped: ${NO_CHROMIUM_LINE}`

/** Screenshots of each run land here (gitignored). */
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'ui')

export interface Watched { page: Page, problems: string[], requests: string[] }

/** A page whose console errors and warnings, page errors, failed requests and HTTP errors are collected. */
export async function watchedPage (context: BrowserContext): Promise<Watched> {
  const page = await context.newPage()
  const problems: string[] = []
  const requests: string[] = []
  page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`) })
  page.on('pageerror', e => { problems.push(`page error: ${e.message}`) })
  page.on('requestfailed', r => { problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`) })
  page.on('request', r => { const u = new URL(r.url()); requests.push(u.pathname + u.search) })
  page.on('response', r => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`) })
  return { page, problems, requests }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface AxeResult { violations: Array<{ id: string, impact: string | null, help: string, nodes: Array<{ target: unknown }> }> }

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA, best practices). */
export async function axeViolations (page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol, so the page's CSP (no inline script) does not apply
  await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<AxeResult> } }).axe
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map(n => JSON.stringify(n.target)) }))
  })
  return violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`)
}

export async function screenshot (page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage })
}
