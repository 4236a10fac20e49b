import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDir } from './helpers/tmp.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CONSUMER = join(ROOT, 'test/fixtures/consumer')
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc')

/**
 * Installs the built package's declarations (and nothing else: no better-sqlite3, no
 * @types/node) in a temp project outside the repository, as a consumer would see them.
 */
function consumerProject (): string {
  const dir = tempDir('hivebench-consumer-')
  const pkg = join(dir, 'node_modules/hivebench')
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
  mkdirSync(pkg, { recursive: true })
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'hivebench', type: 'module', types: manifest.types, exports: manifest.exports }))
  cpSync(join(ROOT, 'dist/src'), join(pkg, 'dist/src'), { recursive: true, filter: src => !src.endsWith('.js') && !src.endsWith('.map') })
  for (const file of readdirSync(CONSUMER)) copyFileSync(join(CONSUMER, file), join(dir, file))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: [], skipLibCheck: false, lib: ['ES2023'] }
  }))
  return dir
}

/** tsc's diagnostics per file (file name -> messages). */
function typeCheck (dir: string): Map<string, string[]> {
  const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8' })
  const out = new Map<string, string[]>()
  for (const line of r.stdout.split('\n')) {
    const m = /^(.+?)\(\d+,\d+\): error (TS\d+: .*)$/.exec(line)
    if (m !== null) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]])
  }
  return out
}

describe('the published declarations', () => {
  it('type-check correct use without better-sqlite3 or node types, and reject typos', () => {
    const diagnostics = typeCheck(consumerProject())
    // nothing in the package's own declarations, nothing in correct use
    expect([...diagnostics.keys()].filter(f => f.includes('node_modules'))).toEqual([])
    expect(diagnostics.get('good.ts')).toBeUndefined()
    expect(diagnostics.get('typo-field.ts')?.join('\n')).toMatch(/'task_typ' does not exist in type 'OutcomeInput'/)
    expect(diagnostics.get('typo-class.ts')?.join('\n')).toMatch(/Type '"passed"' is not assignable to type '"pass" \| "grader_fail"/)
    expect(diagnostics.get('typo-option.ts')?.join('\n')).toMatch(/'explore_share' does not exist in type 'RouteOptions'/)
    expect(diagnostics.get('store-hidden.ts')?.join('\n')).toMatch(/Property 'store' does not exist on type 'Tracker'/)
  }, 60_000)
})
