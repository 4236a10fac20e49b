import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/**
 * npm test runs this before vitest: the import rules of ARCHITECTURE.md ("Layers"), checked on
 * the TypeScript sources. Exits 1 naming every import that breaks a rule.
 *
 * 1. No import cycle (between files, type-only imports included: a cycle of types is still a
 *    knot a reader has to untie).
 * 2. Imports go down the layers only. A layer imports lower layers and its own folder; two
 *    folders of one layer do not import each other.
 * 3. network/ is transport: of protocol/ it may import the framing (protocol/frames.ts) only.
 * 4. Outside src/store/, the store is imported through src/store/index.ts only.
 * 5. Nothing imports src/cli/ (the CLI is the top); src/index.ts (the package's API) is imported by nobody.
 */

/** the repository: the nearest folder above this file with a package.json (this file runs from scripts/ and from dist/scripts/) */
function repositoryRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    if (dir === resolve(dir, '..')) throw new Error('check-layers: no package.json above this script')
    dir = resolve(dir, '..')
  }
  return dir
}
const ROOT = repositoryRoot()

/** Layer of each top-level entry of src/, lowest first. */
const LAYERS: Record<string, number> = {
  'errors.ts': 0,
  'polyfill.ts': 0,
  core: 1,
  protocol: 2,
  store: 2,
  ingest: 2,
  network: 3,
  gate: 3,
  config: 3,
  'tracker-api.ts': 4,
  'tracker.ts': 5,
  hive: 6,
  http: 7,
  'daemon.ts': 8,
  cli: 9,
  'index.ts': 9
}

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : []
  })
}

/** Relative imports and re-exports of a file, resolved to source paths. */
function importsOf (file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return info.importedFiles
    .map(f => f.fileName)
    .filter(name => name.startsWith('.'))
    .map(name => resolve(dirname(file), name.replace(/\.js$/, '.ts')))
}

/** Every broken rule of the sources under `root`/src, one line each. */
export function check (root = ROOT): string[] {
  const src = join(root, 'src')
  const top = (file: string): string => relative(src, file).split('/')[0] ?? ''
  const name = (file: string): string => relative(root, file)
  const files = sourceFiles(src)
  const graph = new Map(files.map(f => [f, importsOf(f)]))
  const problems: string[] = []

  for (const [file, imports] of graph) {
    const from = top(file)
    for (const target of imports) {
      const to = top(target)
      const what = `${name(file)} imports ${name(target)}`
      if (!graph.has(target)) { problems.push(`${what}: no such source file`); continue }
      if (LAYERS[from] === undefined) { problems.push(`${name(file)}: src/${from} has no layer in scripts/check-layers.ts`); continue }
      if (LAYERS[to] === undefined) continue // reported from its own files
      if (to === 'cli' && from !== 'cli') problems.push(`${what}: nothing imports the CLI`)
      if (to === 'index.ts') problems.push(`${what}: src/index.ts is the package's API, not a module to import`)
      if (from !== to && LAYERS[to] >= LAYERS[from]) problems.push(`${what}: ${from} (layer ${LAYERS[from]}) may not import ${to} (layer ${LAYERS[to]})`)
      if (from === 'network' && to === 'protocol' && name(target) !== 'src/protocol/frames.ts') problems.push(`${what}: network/ may import the framing (protocol/frames.ts) only`)
      if (to === 'store' && from !== 'store' && name(target) !== 'src/store/index.ts') problems.push(`${what}: import the store through src/store/index.ts`)
    }
  }
  for (const cycle of cycles(graph)) problems.push(`import cycle: ${[...cycle, ...cycle.slice(0, 1)].map(name).join(' -> ')}`)
  return problems
}

/** The strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
function cycles (graph: Map<string, string[]>): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    indices.set(v, index)
    low.set(v, index)
    index++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!indices.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indices.get(w) as number))
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop() as string
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.reverse())
    }
  }
  for (const v of graph.keys()) if (!indices.has(v)) visit(v)
  return found
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = check()
  if (problems.length > 0) {
    console.error(`check-layers: ${problems.length} import rule(s) broken (see ARCHITECTURE.md, "Layers"):\n  ${problems.join('\n  ')}`)
    process.exitCode = 1
  } else {
    console.log('check-layers: no import cycle, no upward import')
  }
}
