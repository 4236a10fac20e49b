import '../src/polyfill.js'
import { GATE_DEFAULTS } from '../src/core/gate.js'
import { simulate, type ArmModel, type SimCase, type SimResult } from './lib/gate-sim.js'

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
const arm = (n: number, passRate: number, slowdown = 1, sigma = latency.sigma): ArmModel => ({ n, passRate, latency: { median: latency.median * slowdown, sigma } })
const noDurations = (n: number, passRate: number): ArmModel => ({ n, passRate, latency: null })
const same = (n: number, p = 0.7): SimCase['taskTypes'][number] => ({ old: arm(n, p), new: arm(n, p) })

type Target = { text: string, met: (r: SimResult) => boolean }
const falseAlarms: Target = { text: 'regression <= 5%', met: r => r.regression / r.trials <= 0.05 }
const detected: Target = { text: 'regression >= 80%', met: r => r.regression / r.trials >= 0.8 }
const neverPasses: Target = { text: 'never passes', met: r => r.blocked === r.trials }

const cases: Array<SimCase & { want: Target }> = [
  ...[20, 50, 200, 1000].map(n => ({ name: `no change, n = ${n} per side`, taskTypes: [same(n)], want: falseAlarms })),
  { name: 'no change, 12 task types x n = 200 (+ overall row)', taskTypes: Array.from({ length: 12 }, () => same(200)), want: falseAlarms },
  { name: 'drop exactly at the margin: 0.700 -> 0.665, n = 200', taskTypes: [{ old: arm(200, 0.7), new: arm(200, 0.665) }], want: falseAlarms },
  { name: 'latency exactly at the margin: x1.05, n = 200', taskTypes: [{ old: arm(200, 0.7), new: arm(200, 0.7, 1.05) }], want: falseAlarms },
  { name: 'latency x1.05, sigma 0.3, n = 1000', taskTypes: [{ old: arm(1000, 0.7, 1, 0.3), new: arm(1000, 0.7, 1.05, 0.3) }], want: falseAlarms },
  { name: 'pass rate 0.70 -> 0.60, n = 200', taskTypes: [{ old: arm(200, 0.7), new: arm(200, 0.6) }], want: detected },
  { name: 'pass rate 0.70 -> 0.60, n = 200, no durations (1 test per row)', taskTypes: [{ old: noDurations(200, 0.7), new: noDurations(200, 0.6) }], want: detected },
  { name: 'pass rate 0.70 -> 0.60, n = 400', taskTypes: [{ old: arm(400, 0.7), new: arm(400, 0.6) }], want: detected },
  { name: 'latency x1.2 (log-normal, sigma 0.5), n = 200', taskTypes: [{ old: arm(200, 0.7), new: arm(200, 0.7, 1.2) }], want: detected },
  { name: 'latency x1.2 (log-normal, sigma 0.3), n = 200', taskTypes: [{ old: arm(200, 0.7), new: arm(200, 0.7, 1.2, 0.3) }], want: detected },
  { name: 'candidate with no data (n = 0 new)', taskTypes: [{ old: arm(200, 0.7), new: arm(0, 0.7) }], want: neverPasses }
]

const pct = (x: number, trials: number): string => `${(100 * x / trials).toFixed(1)}%`
const options = { maxDrop: GATE_DEFAULTS.maxDrop, maxSlowdown: GATE_DEFAULTS.maxSlowdown, confidence: GATE_DEFAULTS.confidence }
console.log(`eval:gate: ${TRIALS} seeded trials per case (seed ${SEED}); gate max-drop ${options.maxDrop}, max-slowdown ${options.maxSlowdown}, confidence ${options.confidence}; old rule: raw means, 5%, missing data passes`)
console.log('')
console.log('| case | target | met | gate: regression | gate: insufficient evidence | gate blocks (exit 3 or 4) | per-row tests without Holm: regression | plain z test, no margin: drop | old 5% rule blocks |')
console.log('|---|---|---|---|---|---|---|---|---|')
const t0 = performance.now()
cases.forEach((c, i) => {
  const r = simulate(c, TRIALS, SEED * 1000 + i, options)
  console.log(`| ${c.name} | ${c.want.text} | ${c.want.met(r) ? 'yes' : '**no**'} | ${pct(r.regression, r.trials)} | ${pct(r.insufficient, r.trials)} | ${pct(r.blocked, r.trials)} | ${pct(r.regressionWithoutHolm, r.trials)} | ${pct(r.plainDropTest, r.trials)} | ${pct(r.oldRule, r.trials)} |`)
})
console.log('')
console.log(`${cases.length} cases x ${TRIALS} trials in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
