import '../src/polyfill.js'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { errorMessage } from '../src/errors.js'
import { DEFAULT_MIN_SAMPLES, DEFAULT_WINDOW_DAYS } from '../src/core/limits.js'
import { armLabel } from './lib/replay-data.js'
import { replayTable, writeReport } from './lib/replay-report.js'
import { pct, runReplay, validateOptions, type ReplayOptions, type ReplayResult } from './lib/replay-run.js'
import { isEntryPoint } from './lib/entry.js'

export { runReplay, type ReplayOptions, type ReplayResult } from './lib/replay-run.js'

/**
 * npm run replay -- --data FILE --nodes N --rounds R --seed S --out DIR [--min-samples M] [--window-days W] [--via-files | --live]
 *
 * Replays a real outcome file (default: the SWE-bench Verified bash-only file) through N
 * simulated nodes that exchange signed deltas between rounds, and measures how often each node's
 * answer to "best arm for task type X?" is right, in local and in hive scope. Writes
 * DIR/replay.csv and DIR/replay.svg. By default the nodes live in this process and exchange
 * signed envelopes directly (--via-files: through envelope files in DIR/envelopes); --live runs
 * them as daemons on 127.0.0.1 that exchange by gossipsub and sync. See scripts/lib/replay-*.ts.
 */
const USAGE = 'usage: npm run replay -- [--data FILE] [--nodes N] [--rounds R] [--seed S] [--out DIR] [--min-samples M] [--window-days W] [--via-files | --live]'

function repoRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('cannot find the repository root (package.json)')
    dir = up
  }
  return dir
}

export const DEFAULT_DATA = (): string => join(repoRoot(), '..', 'shared', 'data', 'swebench-verified-bash-only.csv')

function parse (argv: string[]): { options: ReplayOptions, out: string, live: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      nodes: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: './replay-out' },
      'min-samples': { type: 'string', default: String(DEFAULT_MIN_SAMPLES) },
      'window-days': { type: 'string', default: String(DEFAULT_WINDOW_DAYS) },
      'via-files': { type: 'boolean', default: false },
      live: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) { console.log(USAGE); process.exit(0) }
  const out = resolve(values.out)
  const options: ReplayOptions = {
    data: resolve(values.data ?? DEFAULT_DATA()),
    nodes: Number(values.nodes),
    rounds: Number(values.rounds),
    seed: Number(values.seed),
    minSamples: Number(values['min-samples']),
    windowDays: Number(values['window-days']),
    viaFilesDir: values['via-files'] ? out : undefined,
    live: values.live
  }
  return { options, out, live: values.live }
}

function summary (result: ReplayResult): string[] {
  const { nodes, rounds } = result.options
  const last = (scope: string): number => result.series.find(p => p.round === rounds && p.scope === scope)?.regret ?? NaN
  const firstBelow = result.series.find(p => p.scope === 'hive' &&
    p.regret < (result.series.find(q => q.round === p.round && q.scope === 'local')?.regret ?? -1))
  const f = result.final
  const lines = [
    `ground truth: per task type the arm(s) with the highest pass rate over all ${result.rows.toLocaleString('en-US')} rows among arms with >= ${result.options.minSamples} samples; ` +
      `scored task types: ${result.taskTypes.length - result.unscored.length} of ${result.taskTypes.length}` +
      (result.unscored.length > 0 ? ` (no arm with enough samples, not scored: ${result.unscored.join(', ')})` : ''),
    'regret of a null answer (no benchmarked arm yet) = best pass rate - mean pass rate of the task type\'s arms (a random pick)',
    `single node holding all rows (Wilson lower bound ranking): match ${pct(result.single.matchShare)} regret ${result.single.regret.toFixed(4)} against the raw pass-rate truth`,
    `last round regret: local ${last('local').toFixed(4)}, hive ${last('hive').toFixed(4)}; ` +
      (firstBelow === undefined ? 'hive regret never fell below local' : `hive regret below local from round ${firstBelow.round}`),
    `all hive answers after round ${rounds} equal the single-node answers (up to ties): ${f.differs.length === 0 ? 'YES' : 'NO'} ` +
      `(${f.same} same arm, ${f.tied} tied, ${f.differs.length} different, of ${f.total} = ${nodes} node${nodes === 1 ? '' : 's'} x ${result.taskTypes.length} task types)`
  ]
  for (const d of f.differs.slice(0, 10)) {
    lines.push(`  node ${d.node} ${d.taskType}: hive ${d.hive === null ? 'null' : armLabel(d.hive)}, single ${d.single === null ? 'null' : armLabel(d.single)}`)
  }
  if (f.differs.length > 10) lines.push(`  ... and ${f.differs.length - 10} more`)
  const verdicts = Object.entries(result.verdicts).map(([k, v]) => `${k} ${v}`).join(', ')
  lines.push(`envelopes: ${result.envelopes} published (${result.bytesPublished.toLocaleString('en-US')} bytes), ` +
    `${result.bytesDelivered.toLocaleString('en-US')} bytes delivered; receive verdicts: ${verdicts === '' ? 'none (one node)' : verdicts}`)
  return lines
}

async function main (): Promise<void> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(process.argv.slice(2))
    validateOptions(parsed.options)
  } catch (err) {
    console.error(`${errorMessage(err)}\n${USAGE}`)
    process.exit(2)
  }
  if (parsed.live && parsed.options.viaFilesDir !== undefined) {
    console.error(`--live and --via-files exclude each other: a live hive exchanges envelopes by gossip and sync\n${USAGE}`)
    process.exit(2)
  }
  const { options, out } = parsed
  console.log(`replay: ${options.data}\n  ${options.nodes} nodes, ${options.rounds} rounds, seed ${options.seed}, min samples ${options.minSamples}, window ${options.windowDays} days` +
    (options.viaFilesDir === undefined ? '' : `, envelopes through files in ${join(out, 'envelopes')}`) +
    (options.live === true ? ', live: daemons on 127.0.0.1 exchanging by gossipsub and sync' : ', in-process nodes exchanging signed envelopes'))
  const t0 = performance.now()
  const result = await runReplay({ ...options, log: line => { console.log(line) } })
  console.log(replayTable(result))
  for (const line of summary(result)) console.log(line)
  const files = writeReport(result, out)
  console.log(`wrote ${files.csv} and ${files.svg} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

if (isEntryPoint(import.meta.url)) {
  main().catch(err => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
