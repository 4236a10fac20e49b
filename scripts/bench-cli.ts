import '../src/polyfill.js'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openTracker } from '../src/tracker.js'
import { at } from './lib/lists.js'
import { fmt, rng } from './lib/measure.js'
import { syntheticOutcomes } from './lib/synthetic.js'

/**
 * `npm run bench:cli`: whole-process wall time of CLI commands, medians of RUNS runs each, on a
 * data dir of OUTCOMES outcomes, against the baseline `node -e 0` measured in the same run
 * (interleaved, so a busy moment of the shared machine hits every row alike). Targets: read
 * commands and `record` within node startup + 120 ms, `--help` / `--version` within + 60 ms.
 * CPU time (user + system, reported by each process at exit) is printed beside wall time: on a
 * shared machine, load stretches wall time but hardly the CPU a command needs.
 */

const RUNS = Number(process.env.RUNS ?? 15)
const OUTCOMES = Number(process.env.OUTCOMES ?? 100_000)
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url))
// from dist/scripts/ to the source tree's scripts/lib/ (a plain .mjs, not compiled)
const CPU_REPORT = fileURLToPath(new URL('../../scripts/lib/cpu-report.mjs', import.meta.url))

const dir = mkdtempSync(join(tmpdir(), 'hivebench-bench-cli-'))
try {
  const nowMs = Date.now()
  const next = syntheticOutcomes(rng(7), { taskTypes: 20, tools: 10, models: 5, days: 30, nowMs })
  const tracker = openTracker({ dataDir: dir })
  for (let done = 0; done < OUTCOMES; done += 10_000) tracker.recordBatch(Array.from({ length: Math.min(10_000, OUTCOMES - done) }, next))
  tracker.close()

  let recordId = 0
  const cases: Array<{ name: string, args: () => string[], target: number | null }> = [
    { name: 'node -e 0 (baseline)', args: () => ['-e', '0'], target: null },
    { name: 'hivebench --version', args: () => [CLI, '--version'], target: 60 },
    { name: 'hivebench --help', args: () => [CLI, '--help'], target: 60 },
    { name: 'hivebench best task_3', args: () => [CLI, 'best', 'task_3', '--data-dir', dir], target: 120 },
    { name: 'hivebench best task_3 --json', args: () => [CLI, 'best', 'task_3', '--json', '--data-dir', dir], target: 120 },
    { name: 'hivebench stats --task-type task_3', args: () => [CLI, 'stats', '--task-type', 'task_3', '--data-dir', dir], target: 120 },
    { name: 'hivebench route task_3', args: () => [CLI, 'route', 'task_3', '--data-dir', dir], target: 120 },
    {
      name: 'hivebench record',
      args: () => [CLI, 'record', '--data-dir', dir, '--task-type', 'task_3', '--tool', 'tool_1', '--outcome', 'pass', '--duration', '12.5', '--id', `bench-${++recordId}`],
      target: 120
    }
  ]

  const measured = cases.map(c => ({ c, samples: [] as number[], cpu: [] as number[] }))
  // one warm-up round (page cache, the WAL's first checkpoint), then RUNS interleaved rounds
  for (let round = -1; round < RUNS; round++) {
    for (const { c, samples, cpu } of measured) {
      const t0 = performance.now()
      const r = spawnSync(process.execPath, ['--import', CPU_REPORT, ...c.args()], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
      const ms = performance.now() - t0
      if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`)
      const cpuUs = Number(/bench-cpu-us (\d+)/.exec(r.stderr)?.[1] ?? Number.NaN)
      if (round >= 0) { samples.push(ms); cpu.push(cpuUs / 1000) }
    }
  }
  const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return ((s[(s.length - 1) >> 1] ?? Number.NaN) + (s[s.length >> 1] ?? Number.NaN)) / 2 }
  // the first case is bare node start-up, the baseline of the others
  const baseline = at(measured, 0, 'case')
  const base = median(baseline.samples)
  const cpuBase = median(baseline.cpu)
  const load = (await import('node:os')).loadavg()[0] ?? Number.NaN

  console.log(`bench:cli: ${RUNS} runs per command (medians, whole process), ${fmt(OUTCOMES)} outcomes in the data dir, node ${process.version}, load average ${fmt(load, 1)} on ${(await import('node:os')).cpus().length} cores\n`)
  console.log('| command | wall median ms | over node startup | target | met | CPU median ms (user + sys) | CPU over node startup |')
  console.log('|---|---|---|---|---|---|---|')
  let allMet = true
  for (const { c, samples, cpu } of measured) {
    const m = median(samples)
    const over = m - base
    const met = c.target === null ? '' : over <= c.target ? 'yes' : 'NO'
    if (met === 'NO') allMet = false
    const c50 = median(cpu)
    console.log(`| \`${c.name}\` | ${fmt(m, 1)} | ${c.target === null ? '(baseline)' : `+${fmt(over, 1)} (x${fmt(m / base, 2)})`} | ${c.target === null ? '' : `+${c.target}`} | ${met} | ` +
      `${fmt(c50, 1)} | ${c.target === null ? '(baseline)' : `+${fmt(c50 - cpuBase, 1)}`} |`)
  }
  console.log(`\n${allMet ? 'every target met' : 'a target was missed'} (baseline node -e 0: ${fmt(base, 1)} ms)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
