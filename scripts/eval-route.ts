import '../src/polyfill.js'
import { DEFAULT_MIN_SAMPLES } from '../src/core/limits.js'
import { mulberry32, seedOf } from '../src/core/random.js'
import { rankArms } from '../src/core/ranking.js'
import { DEFAULT_DRAWN_ARMS, defaultExploreShare, route } from '../src/core/route.js'
import { emptyScalars } from '../src/core/types.js'

/**
 * npm run eval:route [-- --runs N --rounds T --seed S] — does route()'s exploration fade without
 * stopping too early? A lone node routes T decisions through the real route() over Bernoulli arms
 * (each decision observes the chosen arm only; the next ranking holds the counts so far), N seeded
 * runs per case and explore share. Printed per case: cumulative regret per run, the share of the
 * last quarter's decisions on a worse arm, and the share of runs whose last quarter went mostly to
 * a worse arm (stuck). Plain Thompson sampling (share 1) is the baseline, in the same run.
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const RUNS = arg('runs', 200)
const ROUNDS = arg('rounds', 2000)
const SEED = arg('seed', 1)
/** undefined: route()'s default, DEFAULT_DRAWN_ARMS / the number of arms */
const SHARES: Array<number | undefined> = [undefined, 0.05, 0.1, 0.2, 1]

const cases: Array<{ name: string, rates: number[] }> = [
  { name: 'two arms, 0.70 vs 0.40 (well separated)', rates: [0.7, 0.4] },
  { name: 'two arms, 0.60 vs 0.50', rates: [0.6, 0.5] },
  { name: 'two arms, 0.80 vs 0.75 (close)', rates: [0.8, 0.75] },
  { name: 'ten arms, best 0.80, others 0.10..0.70', rates: [0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.3, 0.2, 0.1] }
]

function loop (rates: number[], exploreShare: number | undefined, seed: number): { regret: number, lateWorse: number } {
  const random = mulberry32(seed)
  const outcome = mulberry32(seed ^ 0x5bd1e995)
  const counts = rates.map(() => ({ n: 0, pass: 0 }))
  const best = Math.max(...rates)
  let regret = 0
  let lateWorse = 0
  for (let t = 0; t < ROUNDS; t++) {
    const ranking = rankArms(counts.map((c, i) => ({
      tool: `arm${i}`, model: '', totals: { ...emptyScalars(), n: c.n, pass: c.pass, grader_fail: c.n - c.pass }, hist: null, origins: 1, perOrigin: []
    })), { minSamples: DEFAULT_MIN_SAMPLES }).ranking
    const i = Number(route(ranking, exploreShare === undefined ? { random } : { exploreShare, random }).arm?.tool.slice(3))
    const chosen = counts[i]
    const rate = rates[i]
    if (chosen === undefined || rate === undefined) throw new Error(`route() chose arm ${i}, which is not one of the ${rates.length}`)
    chosen.n++
    if (outcome() < rate) chosen.pass++
    regret += best - rate
    if (t >= ROUNDS * 3 / 4 && rate < best) lateWorse++
  }
  return { regret, lateWorse: lateWorse / (ROUNDS / 4) }
}

console.log(`eval:route: ${RUNS} seeded runs (seed ${SEED}) x ${ROUNDS} decisions per case and explore share; default share ${DEFAULT_DRAWN_ARMS} / the number of arms; share 1 = plain Thompson sampling (the baseline)`)
console.log('')
console.log('| case | explore share | cumulative regret per run (mean) | / Thompson | worse arms\' share of the last quarter | runs stuck (last quarter mostly worse arms) |')
console.log('|---|---|---|---|---|---|')
const t0 = performance.now()
for (const c of cases) {
  const rows = SHARES.map(share => {
    const results = Array.from({ length: RUNS }, (_, r) => loop(c.rates, share, seedOf(`${SEED}/${c.name}/${r}`)))
    return {
      share,
      regret: results.reduce((s, x) => s + x.regret, 0) / RUNS,
      late: results.reduce((s, x) => s + x.lateWorse, 0) / RUNS,
      stuck: results.filter(x => x.lateWorse > 0.5).length / RUNS
    }
  })
  const thompson = rows.find(r => r.share === 1)?.regret ?? Number.NaN
  for (const r of rows) {
    console.log(`| ${c.name} | ${r.share === undefined ? `default (${+defaultExploreShare(c.rates.length).toFixed(3)})` : r.share} | ${r.regret.toFixed(1)} | ${(r.regret / thompson).toFixed(2)} | ${(100 * r.late).toFixed(2)}% | ${(100 * r.stuck).toFixed(1)}% |`)
  }
}
console.log('')
console.log(`${cases.length} cases x ${SHARES.length} shares x ${RUNS} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
