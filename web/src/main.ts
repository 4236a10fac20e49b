import { get, token, Unauthorized } from './api.js'
import { fill, h } from './dom.js'
import { gatePage } from './gate.js'
import { overviewPage } from './overview.js'
import type { Page } from './page.js'
import { peersPage } from './peers.js'
import { taskPage } from './task.js'

/**
 * The dashboard: hash routes (#/, #/task/<type>, #/peers, #/gate), a change stamp polled every
 * two seconds (a page refetches only when it moved), and the token form when the API wants one.
 */
const POLL_MS = 2000
const main = document.getElementById('main') as HTMLElement
const nav = document.getElementById('nav') as HTMLElement
const live = document.getElementById('live') as HTMLElement

let page: Page | null = null
let route = ''
let stamp: string | null = null
let lastRefresh = 0
let hasGate = false

function pageFor (hash: string): Page {
  const [, name, arg] = /^#\/([a-z]*)\/?(.*)$/.exec(hash) ?? []
  if (name === 'task' && arg !== undefined && arg !== '') return taskPage(decodeURIComponent(arg))
  if (name === 'peers') return peersPage()
  if (name === 'gate' && hasGate) return gatePage()
  return overviewPage()
}

function renderNav (): void {
  const links: Array<[string, string]> = [['#/', 'Overview'], ['#/peers', 'Peers'], ...(hasGate ? [['#/gate', 'Gate'] as [string, string]] : []), ['/docs', 'API docs']]
  const current = route === '' || route === '#' ? '#/' : route
  fill(nav, h('ul', {}, links.map(([href, label]) => h('li', {}, h('a', { href, 'aria-current': href === current ? 'page' : undefined }, label)))))
}

function showError (err: unknown): void {
  if (err instanceof Unauthorized) {
    askToken()
    return
  }
  fill(live, h('span', { class: 'bad' }, `Could not load: ${(err as Error).message}`))
}

async function refresh (): Promise<void> {
  if (page === null) return
  try {
    await page.refresh()
    lastRefresh = Date.now()
    fill(live, `Live · updated ${new Date().toLocaleTimeString('en-GB')}`)
  } catch (err) {
    showError(err)
  }
}

async function navigate (first = false): Promise<void> {
  route = location.hash
  page = pageFor(route)
  document.title = `${page.title} · hivebench`
  renderNav()
  page.mount(main)
  await refresh()
  if (first) return
  // after a move, focus the new page's heading, so keyboard and screen reader users land on it
  const heading = main.querySelector('h1')
  heading?.setAttribute('tabindex', '-1')
  heading?.focus()
}

async function poll (): Promise<void> {
  if (document.visibilityState !== 'visible' || page === null) return
  try {
    const now = (await get<{ stamp: string }>('/v1/changes')).stamp
    const changed = stamp !== null && now !== stamp
    stamp = now
    if (changed || (page.pollSeconds !== undefined && Date.now() - lastRefresh >= page.pollSeconds * 1000)) await refresh()
  } catch (err) {
    showError(err)
  }
}

function askToken (refused = token.get() !== null): void {
  token.clear()
  // no page: polling pauses until the token is given (and the form is not redrawn under the user)
  page = null
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', required: true, spellcheck: 'false' })
  fill(main, h('h1', {}, 'API token'),
    h('p', {}, 'This node serves its API beyond this machine, so it needs its bearer token: the content of ', h('code', {}, 'http.token'),
      ' in its data directory. It is kept in this tab only (session storage) and sent in a header, never in a URL.'),
    refused ? h('p', { class: 'bad', role: 'alert' }, 'That token was refused.') : null,
    h('form', { class: 'controls', onSubmit: (e: Event) => { e.preventDefault(); token.set(input.value.trim()); void start() } },
      h('label', {}, h('span', {}, 'Token'), input), h('button', { type: 'submit' }, 'Open the dashboard')))
  fill(live, '')
  input.focus()
}

/** The gate page exists only on nodes that keep baselines. The API document says whether this
 * version has them: probing /v1/baselines would log a 404 in the console of older nodes. */
async function detectGate (): Promise<boolean> {
  const api = await get<{ paths: Record<string, unknown> }>('/openapi.json')
  return Object.hasOwn(api.paths, '/v1/baselines') && (await get<{ baselines: unknown[] }>('/v1/baselines')).baselines.length > 0
}

async function start (): Promise<void> {
  // the first page does not wait for the gate check (unless it is the gate page)
  const gate = detectGate().catch(() => false)
  try {
    stamp = (await get<{ stamp: string }>('/v1/changes')).stamp
    if (location.hash.startsWith('#/gate')) hasGate = await gate
  } catch (err) {
    return showError(err)
  }
  await navigate(true)
  // for npm run bench:ui (time to first render) and anyone profiling the page
  performance.mark('hivebench:first-render')
  hasGate = await gate
  if (hasGate) renderNav()
  // every start-up request is done: from here on the page only polls (test/ui waits for this)
  performance.mark('hivebench:ready')
}

// the skip link moves focus; following its #main would be taken for a route
document.querySelector('.skip')?.addEventListener('click', (e) => { e.preventDefault(); main.focus() })
window.addEventListener('hashchange', () => { void navigate() })
// charts are drawn at their container's width
let resizeTimer: number | undefined
window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = window.setTimeout(() => { void refresh() }, 250) })
setInterval(() => { void poll() }, POLL_MS)
void start()
