import '../src/polyfill.js'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_DATA } from './replay.js'
import { policies, POLICIES, type PolicyName } from './lib/simulate-policies.js'
import { modeTable, simulateTable, targetLines, writeSimulateReport } from './lib/simulate-report.js'
import { reportEveryOf, runSimulation, simulateDefaults, validateSimulateOptions, type SimulateOptions } from './lib/simulate-run.js'
import { loadWorld, SKEW_HOME_TYPES } from './lib/simulate-world.js'
import { isEntryPoint } from './lib/entry.js'

export { runSimulation, type SimulateOptions, type SimulateResult } from './lib/simulate-run.js'

/**
 * npm run simulate -- --data FILE --nodes N --tasks T --share-every K --policy P --seed S --out DIR
 *   [--skew S] [--explore-share X] [--report-every R] [--no-late-node] [--live]
 *
 * The closed loop: N nodes each receive T tasks from the file's task mix, ask route() for an
 * arm, observe an outcome drawn from that arm's true pass rate (over the whole file), record it
 * in their own store and share signed deltas every K tasks. Scored by cumulative regret against
 * an oracle. Writes DIR/simulate.csv and DIR/simulate.svg. See scripts/lib/simulate-*.ts.
 */
const USAGE = 'usage: npm run simulate -- [--data FILE] [--nodes N] [--tasks T] [--share-every K] [--policy all|P[,P...]] [--seed S|S,S,...|A..B] [--out DIR] ' +
  '[--skew SHARE] [--explore-share X] [--report-every R] [--no-late-node] [--live]\n' +
  `policies: ${POLICIES.join(', ')}`

/** "1", "1,2,5" or "1..5" */
export function parseSeeds (text: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim())
  if (range !== null) {
    const [a, b] = [Number(range[1]), Number(range[2])]
    if (b < a) throw new Error(`--seed ${text}: the range is empty`)
    return Array.from({ length: b - a + 1 }, (_, i) => a + i)
  }
  return text.split(',').map(s => s.trim() === '' ? Number.NaN : Number(s))
}

export function parsePolicies (text: string): PolicyName[] {
  return text.trim() === 'all' ? [...POLICIES] : text.split(',').map(s => s.trim() as PolicyName)
}

function parse (argv: string[]): { options: SimulateOptions, out: string } {
  const d = simulateDefaults('')
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      nodes: { type: 'string', default: String(d.nodes) },
      tasks: { type: 'string', default: String(d.tasks) },
      'share-every': { type: 'string', default: String(d.shareEvery) },
      policy: { type: 'string', default: 'all' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: './simulate-out' },
      skew: { type: 'string', default: '0' },
      'explore-share': { type: 'string' },
      'report-every': { type: 'string' },
      'no-late-node': { type: 'boolean', default: false },
      live: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) { console.log(USAGE); process.exit(0) }
  const options: SimulateOptions = {
    data: resolve(values.data ?? DEFAULT_DATA()),
    nodes: Number(values.nodes),
    tasks: Number(values.tasks),
    shareEvery: Number(values['share-every']),
    policies: parsePolicies(values.policy),
    seeds: parseSeeds(values.seed),
    skew: Number(values.skew),
    exploreShare: values['explore-share'] === undefined ? undefined : Number(values['explore-share']),
    reportEvery: values['report-every'] === undefined ? undefined : Number(values['report-every']),
    lateNode: !values['no-late-node'],
    live: values.live
  }
  return { options, out: resolve(values.out) }
}

async function main (): Promise<void> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(process.argv.slice(2))
    validateSimulateOptions(parsed.options)
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  const { options, out } = parsed
  const t0 = performance.now()
  const world = loadWorld(options.data)
  const arms = world.taskTypes.reduce((s, t) => s + t.arms.length, 0)
  console.log(`simulate: ${options.data}\n  ${world.rows.toLocaleString('en-US')} rows: ${world.taskTypes.length} task types, ${arms} arms with >= 5 rows` +
    (world.dropped.length > 0 ? ` (no such arm, never dealt: ${world.dropped.join(', ')})` : ''))
  console.log(`  ${options.nodes} nodes x ${options.tasks} tasks, ${options.shareEvery === 0 ? 'sharing off' : `deltas exchanged every ${options.shareEvery} tasks`}` +
    `${options.live ? ' over daemons on 127.0.0.1 (gossipsub and sync)' : ' in process (signed envelopes, the real merge)'}, ` +
    `seeds ${options.seeds.join(',')}, a CSV row every ${reportEveryOf(options)} tasks` +
    (options.skew > 0 ? `, skew ${options.skew} (that share of a node's tasks from its ${SKEW_HOME_TYPES} home task types)` : ''))
  const table = policies(options.exploreShare)
  for (const name of new Set(options.policies)) console.log(`  ${name}: ${table[name].description}`)
  const result = await runSimulation({ ...options, log: line => { console.log(line) } }, world)
  console.log(simulateTable(result))
  console.log('where the regret comes from: route() modes (decisions, and regret per node), means over seeds')
  console.log(modeTable(result))
  for (const line of targetLines(result)) console.log(line)
  const files = writeSimulateReport(result, out)
  console.log(`wrote ${files.csv} and ${files.svg} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

if (isEntryPoint(import.meta.url)) {
  main().catch(err => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
