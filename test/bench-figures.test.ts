import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { deltaFigures, storeFigures } from '../scripts/lib/bench-figures.js'

// What bench:delta and bench:store printed in one run (the same layout at 7f7f199 and now):
// bench:compare reads every figure of both builds through these parsers.
const fixture = (name: string): string => readFileSync(new URL(`fixtures/bench/${name}`, import.meta.url), 'utf8')

describe('bench figures', () => {
  it('reads every bench:delta row under its section, splitting "a / b" values into two figures', () => {
    const figures = deltaFigures(fixture('bench-delta.txt'))
    const byName = new Map(figures.map(f => [f.name, f]))
    expect(figures).toHaveLength(2 * 10)
    expect(byName.get('SWE-bench file: entries (keys)')).toEqual({ name: 'SWE-bench file: entries (keys)', value: 5850, better: 'neither' })
    expect(byName.get('SWE-bench file: bytes per entry, median over the deltas')).toMatchObject({ value: 23.7, better: 'lower' })
    expect(byName.get('SWE-bench file: bytes per entry, overall')).toMatchObject({ value: 23.6, better: 'lower' })
    expect(byName.get('same keys with durations: decode + verify + validate, entries/s')).toMatchObject({ value: 423781, better: 'higher' })
    expect(byName.get('same keys with durations: merge into SQLite, entries/s: one snapshot')).toMatchObject({ value: 88107, better: 'higher' })
  })

  it('reads bench:store\'s rate lines (explanations dropped) and its latency table per size', () => {
    const figures = storeFigures(fixture('bench-store.txt'))
    const byName = new Map(figures.map(f => [f.name, f]))
    expect(figures).toHaveLength(5 + 3 * 6)
    expect(byName.get('record, batches of 1000, agent-shaped, outcomes/s')).toMatchObject({ value: 370441, better: 'higher' })
    expect(byName.get('one outcome per call and per transaction, at = now, outcomes/s')).toMatchObject({ value: 12797 })
    expect(byName.get('best() p99 ms at 1,000,000 outcomes')).toMatchObject({ value: 12.127, better: 'lower' })
    expect(byName.get('GROUP BY p50 ms at 10,000 outcomes')).toMatchObject({ value: 0.31 })
    expect([...byName.keys()].some(n => n.includes('speed-up'))).toBe(false)
  })

  it('finds nothing in output that is not a bench table', () => {
    expect(deltaFigures('npm ERR! missing script')).toEqual([])
    expect(storeFigures('')).toEqual([])
  })
})
