import '../src/polyfill.js'
import { GATE_DEFAULTS } from '../src/core/gate.js'
import { simulate, type ArmModel, type SimCase } from './lib/gate-sim.js'

/**
 * npm run eval:gate [-- --trials N --seed S] — does the gate neither cry wolf nor fail open?
 * Seeded trials per case (default 2,000), each judged by the gate (defaults: max drop 5%, max
 * slowdown 5%, confidence 0.95) and by the old 5% rule on the same draws, printed side by side.
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const TRIALS = arg('trials', 2000)
const SEED = arg('seed', 1)
const latency = { median: 60, sigma: 0.5 }
const arm = (n: number, passRate: number, slowdown = 1): ArmModel => ({ n, passRate, latency: { ...latency, median: latency.median * slowdown } })
const same = (n: number, p = 0.7): SimCase['taskTypes'][number] => ({ old: arm(n, p), new: arm(n, p) })

const cases: Array<SimCase & { want: string, expect: 'low' | 'high' }> = [
  ...[20, 50, 200, 1000].map(n => ({ name: `no change, n = ${n} per side`, taskTypes: [same(n)], want: 'regression <= 5%', expect: 'low' as const })),
  { name: 'no change, 12 task types x n = 200 (+ overall row)', taskTypes: Array.from({ length: 12 }, () => same(200)), want: 'regression <= 5%', expect: 'low' },
  { name: 'drop exactly at the margin: 0.700 -> 0.665, n = 200', taskTypes: [{ old: arm(200, 0.7), new: arm(200, 0.665) }], want: 'regression <= 5%', expect: 'low' },
  { name: 'pass rate 0.70 -> 0.60, n = 200', taskTypes: [{ old: arm(200, 0.7), new: arm(200, 0.6) }], want: 'detected >= 80%', expect: 'high' },
  { name: 'pass rate 0.70 -> 0.60, n = 400', taskTypes: [{ old: arm(400, 0.7), new: arm(400, 0.6) }], want: 'detected >= 80%', expect: 'high' },
  { name: 'latency x1.2 (log-normal, sigma 0.5), n = 200', taskTypes: [{ old: arm(200, 0.7), new: arm(200, 0.7, 1.2) }], want: 'detected >= 80%', expect: 'high' },
  { name: 'candidate with no data (n = 0 new)', taskTypes: [{ old: arm(200, 0.7), new: arm(0, 0.7) }], want: 'never passes', expect: 'high' }
]

const pct = (x: number, trials: number): string => `${(100 * x / trials).toFixed(1)}%`
const options = { maxDrop: GATE_DEFAULTS.maxDrop, maxSlowdown: GATE_DEFAULTS.maxSlowdown, confidence: GATE_DEFAULTS.confidence }
console.log(`eval:gate: ${TRIALS} seeded trials per case (seed ${SEED}); gate max-drop ${options.maxDrop}, max-slowdown ${options.maxSlowdown}, confidence ${options.confidence}; old rule: raw means, 5%, missing data passes`)
console.log('')
console.log('| case | target | gate: regression | gate: insufficient evidence | gate blocks (exit 3 or 4) | per-row tests without Holm: regression | old 5% rule blocks |')
console.log('|---|---|---|---|---|---|---|')
const t0 = performance.now()
cases.forEach((c, i) => {
  const r = simulate(c, TRIALS, SEED * 1000 + i, options)
  console.log(`| ${c.name} | ${c.want} | ${pct(r.regression, r.trials)} | ${pct(r.insufficient, r.trials)} | ${pct(r.blocked, r.trials)} | ${pct(r.regressionWithoutHolm, r.trials)} | ${pct(r.oldRule, r.trials)} |`)
})
console.log('')
console.log(`${cases.length} cases x ${TRIALS} trials in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
