import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { armKey, deal, groundTruth, score, shuffle } from '../scripts/lib/replay-data.js'
import { CSV_HEADER, writeReport } from '../scripts/lib/replay-report.js'
import { runReplay, type ReplayOptions } from '../scripts/lib/replay-run.js'
import { rng } from '../scripts/lib/measure.js'
import { tempDir } from './helpers/tmp.js'

const DATA = fileURLToPath(new URL('../../shared/data/swebench-verified-bash-only.csv', import.meta.url))
const base: ReplayOptions = { data: DATA, nodes: 5, rounds: 3, seed: 42, minSamples: 5, windowDays: 30 }

describe('replay helpers', () => {
  it('deals every row exactly once, in near-equal shares', () => {
    const rows = Array.from({ length: 103 }, (_, i) => ({ i }))
    const rounds = deal(shuffle(rows, rng(3)), 4, 5)
    const dealt = rounds.flat(2).map(r => r.i as number).sort((a, b) => a - b)
    expect(dealt).toEqual(rows.map(r => r.i))
    for (const round of rounds) for (const share of round) expect(share.length === 5 || share.length === 6).toBe(true)
    expect(shuffle(rows, rng(3))).toEqual(shuffle(rows, rng(3)))
  })

  it('ground truth: ties all count, small arms are not eligible, a null answer costs best - mean', () => {
    const row = (model: string, outcome: string): Record<string, unknown> => ({ task_type: 't', tool: 'x', model, outcome })
    const rows = [
      ...Array.from({ length: 4 }, () => row('a', 'pass')), // 4/4 but below min samples
      ...['pass', 'pass', 'pass', 'grader_fail', 'grader_fail'].map(o => row('b', o)), // 3/5
      ...['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'grader_fail', 'grader_fail', 'grader_fail', 'grader_fail'].map(o => row('c', o)) // 6/10
    ]
    const t = groundTruth(rows, 5).get('t')!
    expect([...t.best].sort()).toEqual([armKey('x', 'b'), armKey('x', 'c')])
    expect(t.bestRate).toBeCloseTo(0.6)
    expect(score(t, armKey('x', 'c'))).toEqual({ match: true, regret: 0 })
    expect(score(t, armKey('x', 'a'))?.regret).toBeCloseTo(-0.4) // only reachable with a lower min-samples on the node
    expect(score(t, null)?.regret).toBeCloseTo(0.6 - (1 + 0.6 + 0.6) / 3)
    expect(groundTruth(rows, 11).get('t')!.bestRate).toBeNull()
  })
})

describe('replay of the SWE-bench file', () => {
  it('N = 5, 3 rounds: hive answers (nearly) equal the single-node answers, hive regret <= local, CSV and SVG written', async () => {
    const result = await runReplay(base)
    expect(result.rows).toBe(12_500)
    expect(result.series).toHaveLength(2 * base.rounds)
    expect(Object.keys(result.verdicts)).toEqual(['accepted'])
    // every envelope of every node was delivered to the 4 others
    expect(result.verdicts.accepted).toBe(result.envelopes * (base.nodes - 1))
    expect(result.bytesDelivered).toBe(result.bytesPublished * (base.nodes - 1))

    // after the last round every node's hive holds all rows. Its answers are best() on one tracker
    // with all rows, except where the hive ranking's defences against liars (leave-one-origin-out,
    // the scaled cap; README "Against liars and Sybils") pick another arm of a statistical near-tie:
    // a bounded cost, the same on every node
    expect(result.final.total).toBe(base.nodes * result.taskTypes.length)
    const last = (scope: string) => result.series.find(p => p.round === base.rounds && p.scope === scope)!
    expect(last('hive').agreeSingle).toBeGreaterThan(0.75)
    expect(last('hive').regret - result.single.regret).toBeLessThan(0.01)
    for (const d of result.final.differs) expect(result.final.differs.filter(e => e.taskType === d.taskType).map(e => e.hive)).toEqual(Array(base.nodes).fill(d.hive))
    expect(last('hive').regret).toBeLessThanOrEqual(last('local').regret)
    expect(last('hive').matchShare).toBeGreaterThan(last('local').matchShare)

    const dir = tempDir()
    const files = writeReport(result, dir)
    const lines = readFileSync(files.csv, 'utf8').trimEnd().split('\n')
    expect(lines[0]).toBe(CSV_HEADER)
    expect(CSV_HEADER).toBe('round,scope,match_share,regret,bytes')
    expect(lines).toHaveLength(1 + 2 * base.rounds)
    expect(lines.slice(1).map(l => l.split(',').slice(0, 2).join(','))).toEqual(['1,local', '1,hive', '2,local', '2,hive', '3,local', '3,hive'])
    const svg = readFileSync(files.svg, 'utf8')
    expect(svg).toContain('N = 5 nodes, seed 42')
    expect(svg.match(/<polyline/g)).toHaveLength(2)
  })

  it('is deterministic for a seed, and delivering through envelope files gives the same answers', async () => {
    const dir = tempDir()
    const small = { ...base, nodes: 3, rounds: 2 }
    const a = await runReplay(small)
    const b = await runReplay({ ...small, viaFilesDir: dir })
    const strip = (r: typeof a) => r.series.map(p => ({ round: p.round, scope: p.scope, match: p.matchShare, regret: p.regret }))
    expect(strip(b)).toEqual(strip(a))
    expect(readdirSync(join(dir, 'envelopes'))).toEqual(['round-01', 'round-02'])
    expect(existsSync(join(dir, 'envelopes', 'round-02', 'node-03.env'))).toBe(true)
  })

  it('--live: daemons on 127.0.0.1 (gossipsub + sync) reach the same answers', async () => {
    const small = { ...base, nodes: 3, rounds: 2 }
    const memory = await runReplay(small)
    const live = await runReplay({ ...small, live: true })
    const strip = (r: typeof live) => r.series.map(p => ({ round: p.round, scope: p.scope, match: p.matchShare, regret: p.regret }))
    expect(strip(live)).toEqual(strip(memory))
    expect(live.final.differs).toEqual(memory.final.differs)
    expect(Object.keys(live.verdicts).filter(v => v.startsWith('rejected'))).toEqual([])
    expect(live.bytesDelivered).toBeGreaterThan(0)
  })
})
