import '../src/polyfill.js'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import Table from 'cli-table3'
import { HivebenchError } from '../src/errors.js'
import { deltaFigures, type Figure, storeFigures } from './lib/bench-figures.js'

/**
 * npm run bench:compare — bench:delta and bench:store of an old commit (default 7f7f199, the
 * last one before the redesign and the move to libp2p 3) beside this checkout's, in one run:
 * the old commit is checked out in a git worktree under the OS temp dir and installed with
 * `npm ci --offline` (from the npm cache; its `prepare` builds it), then the two builds run
 * alternately, old then new, for --rounds rounds, so that whatever else loads the machine hits
 * both. Each figure is printed old vs new per round, with the medians over the rounds and
 * their ratio new/old (with the default 2 rounds, the median is the mean of the two). A round
 * runs bench:delta (~15 s) and bench:store (~1.5 min, its 1M outcomes) once per side, measured at
 * a load average of 11 on 2 cores: the default run is a few minutes on a quiet machine; --rounds
 * 3 or more for steadier medians. The worktree is kept for the next run (it takes
 * minutes to install) unless --clean is given.
 *
 *   npm run bench:compare -- [--old <commit>] [--rounds 2] [--only delta|store] [--clean]
 */
const { values: args } = parseArgs({
  options: {
    old: { type: 'string', default: '7f7f199' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string' },
    clean: { type: 'boolean', default: false },
    csv: { type: 'string' }
  }
})
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const CSV = resolve(args.csv ?? join(ROOT, '../shared/data/swebench-verified-bash-only.csv'))
const ROUNDS = Number(args.rounds)
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new HivebenchError('USAGE', `--rounds must be a whole number >= 1, got ${args.rounds}`)

interface Bench {
  name: 'delta' | 'store'
  script: string
  args: string[]
  figures: (out: string) => Figure[]
}
const BENCHES: Bench[] = ([
  { name: 'delta', script: 'dist/scripts/bench-delta.js', args: [CSV], figures: deltaFigures },
  { name: 'store', script: 'dist/scripts/bench-store.js', args: [], figures: storeFigures }
] satisfies Bench[]).filter(b => args.only === undefined || b.name === args.only)
if (BENCHES.length === 0) throw new HivebenchError('USAGE', `--only must be delta or store, got ${args.only}`)

const git = (cwd: string, ...gitArgs: string[]): string => execFileSync('git', gitArgs, { cwd, encoding: 'utf8' }).trim()

/** A worktree of `sha` under the temp dir, installed and built; reused when a previous run left it ready. */
function oldCheckout (sha: string): string {
  const dir = join(tmpdir(), `hivebench-compare-${sha.slice(0, 12)}`)
  const ready = existsSync(join(dir, 'node_modules')) && BENCHES.every(b => existsSync(join(dir, b.script))) &&
    git(dir, 'rev-parse', 'HEAD') === sha
  if (ready) {
    console.error(`reusing the worktree of ${sha.slice(0, 12)} at ${dir}`)
    return dir
  }
  git(ROOT, 'worktree', 'prune')
  if (existsSync(dir)) git(ROOT, 'worktree', 'remove', '--force', dir)
  console.error(`checking out ${sha.slice(0, 12)} at ${dir} and installing it offline (npm ci --offline; this takes minutes)`)
  git(ROOT, 'worktree', 'add', '--detach', dir, sha)
  const install = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' })
  if (install.status !== 0) {
    throw new Error(`the lockfile of ${sha.slice(0, 12)} does not install offline from the npm cache (npm ci --offline in ${dir}):\n${install.stderr.slice(-2000)}`)
  }
  return dir
}

function runBench (cwd: string, bench: Bench): Figure[] {
  const out = execFileSync(process.execPath, [bench.script, ...bench.args], { cwd, encoding: 'utf8', maxBuffer: 16 << 20 })
  const figures = bench.figures(out)
  if (figures.length === 0) throw new Error(`no figures found in the output of ${bench.script} in ${cwd}:\n${out}`)
  return figures
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  const [lo, hi] = [s[mid - 1], s[mid]]
  if (hi === undefined) return Number.NaN
  return s.length % 2 === 1 || lo === undefined ? hi : (lo + hi) / 2
}

const short = (x: number): string => Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(+x.toPrecision(3))
const load = (): string => loadavg().map(l => l.toFixed(2)).join(', ')

const oldSha = git(ROOT, 'rev-parse', '--verify', `${args.old}^{commit}`)
const newSha = git(ROOT, 'rev-parse', 'HEAD')
const dirty = git(ROOT, 'status', '--porcelain', '--untracked-files=no') !== ''
const oldDir = oldCheckout(oldSha)
const loadBefore = load()
const started = Date.now()

/** per bench, per figure name: the values of each round, old and new */
const results = new Map<string, { better: Figure['better'], old: number[], new: number[] }>()
for (let round = 1; round <= ROUNDS; round++) {
  for (const bench of BENCHES) {
    for (const [side, dir] of [['old', oldDir], ['new', ROOT]] as const) {
      console.error(`round ${round}/${ROUNDS}: bench:${bench.name}, ${side} (load ${load()})`)
      for (const figure of runBench(dir, bench)) {
        const key = `${bench.name}  ${figure.name}`
        const entry = results.get(key) ?? { better: figure.better, old: [], new: [] }
        entry[side].push(figure.value)
        results.set(key, entry)
      }
    }
  }
}

const table = new Table({ head: ['figure', 'better', 'old, each round', 'new, each round', 'old median', 'new median', 'new / old'], style: { head: [], border: [] } })
for (const [name, r] of results) {
  const oldMedian = median(r.old)
  const newMedian = median(r.new)
  table.push([name, r.better, r.old.map(short).join('  '), r.new.map(short).join('  '), short(oldMedian), short(newMedian), oldMedian === 0 ? '' : `${(newMedian / oldMedian).toFixed(2)}x`])
}
console.log(`hivebench bench:compare  old ${oldSha.slice(0, 7)} vs new ${newSha.slice(0, 7)}${dirty ? ' + uncommitted changes' : ''}, ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of old then new (${BENCHES.map(b => `bench:${b.name}`).join(', ')}), node ${process.version}`)
console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${load()} after; ${((Date.now() - started) / 60_000).toFixed(1)} min\n`)
console.log(table.toString())
console.log('\nnew / old is the ratio of the medians; "better" says which way is an improvement (GROUP BY rows are the baseline\'s plain SQLite, the same code on both sides: they show the noise)')

if (args.clean) {
  git(ROOT, 'worktree', 'remove', '--force', oldDir)
  console.error(`removed the worktree at ${oldDir}`)
}
