import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const npm = (args: string[]): ReturnType<typeof spawnSync> => spawnSync('npm', args, { cwd: root, encoding: 'utf8', timeout: 120_000 })
const mtime = (path: string): number => statSync(`${root}/${path}`).mtimeMs

describe('npm start', () => {
  it('does not recompile when dist/ is up to date (tsc --build checks, in well under the time of a build)', () => {
    expect(npm(['start', '--silent', '--', '--help']).status).toBe(0) // builds if anything is stale
    const before = [mtime('dist/src/cli/main.js'), mtime('dist/web/main.js')]
    const started = Date.now()
    const r = npm(['start', '--silent', '--', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Usage: hivebench start')
    expect([mtime('dist/src/cli/main.js'), mtime('dist/web/main.js')]).toEqual(before)
    expect(Date.now() - started).toBeLessThan(15_000)
  }, 180_000)
})
