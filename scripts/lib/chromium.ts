import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

/**
 * Debian's Chromium driven by playwright-core (which downloads no browser of its own), for the
 * dashboard's tests and npm run bench:ui. HIVEBENCH_CHROMIUM overrides the path.
 */
export const CHROMIUM = process.env.HIVEBENCH_CHROMIUM ?? '/usr/bin/chromium'
export const HAVE_CHROMIUM = existsSync(CHROMIUM)
export const NO_CHROMIUM_LINE = `no Chromium at ${CHROMIUM} (install Debian's chromium package: apt-get install chromium; .ci/run does)`

export interface Browser { context: BrowserContext, close: () => Promise<void> }

/** A fresh headless Chromium with its own throwaway profile and no background traffic. */
export async function launch (viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'hivebench-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  })
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }) } }
}
