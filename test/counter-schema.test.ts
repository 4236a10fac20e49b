import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diffCounters, maxCounters } from '../src/core/counters.js'
import { COUNTER_SCALARS, COUNTER_WIRE_NAMES, counterEntry, emptyScalars, type ScalarCounters } from '../src/core/types.js'
import { entryToJson } from '../src/protocol/index.js'
import { counterArgs, countersFromRow, SCALAR_COLUMN_LIST, SCALAR_COLUMNS, scalarCountersFromValues } from '../src/store/counter-columns.js'

/** Distinct values per field, so a field read from its neighbour's column shows. */
const scalarsArb = fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 40 }), { minLength: COUNTER_SCALARS.length, maxLength: COUNTER_SCALARS.length })
  .map(values => Object.fromEntries(COUNTER_SCALARS.map((f, i) => [f, values[i]])) as ScalarCounters)

describe('the counter schema, declared once (COUNTER_SCALARS)', () => {
  it('derives the names the wire, the JSON and the database already use (a rename would break them all)', () => {
    expect(Object.values(COUNTER_WIRE_NAMES)).toEqual(['n', 'pass', 'grader_fail', 'timeout', 'no_tool_calls', 'error', 'offloaded',
      'sum_duration_ms', 'n_duration', 'sum_cost_micros', 'n_cost'])
    // the columns migration 1 created: existing databases have exactly these
    expect(SCALAR_COLUMN_LIST).toEqual(['n', 'c_pass', 'c_grader_fail', 'c_timeout', 'c_no_tool_calls', 'c_error', 'offloaded',
      'sum_duration_ms', 'n_duration', 'sum_cost_micros', 'n_cost'])
  })

  it('every hand-written hot path reads and writes each field at its own name and position', () => {
    fc.assert(fc.property(scalarsArb, scalarsArb, (a, b) => {
      const hist = new Map([[3, 2]])
      const row = Object.fromEntries(COUNTER_SCALARS.map(f => [SCALAR_COLUMNS[f], a[f]]))
      expect(countersFromRow(row)).toEqual({ ...a, hist: new Map() })
      expect(scalarCountersFromValues(['x', ...COUNTER_SCALARS.map(f => a[f])], 1)).toEqual(a)
      expect(counterArgs({ ...a, hist }).slice(0, -1)).toEqual(COUNTER_SCALARS.map(f => a[f]))
      const key = { taskType: 't', tool: 'x', model: '', day: 1 }
      expect(counterEntry(key, { ...a, hist })).toEqual({ ...key, ...a, hist })
      const json = entryToJson(counterEntry(key, { ...a, hist }))
      for (const f of COUNTER_SCALARS) expect(json[COUNTER_WIRE_NAMES[f]]).toBe(a[f])
      const max = maxCounters({ ...a, hist }, { ...b, hist })
      const diff = diffCounters(max, { ...a, hist })
      for (const f of COUNTER_SCALARS) {
        expect(max[f]).toBe(Math.max(a[f], b[f]))
        expect(diff[f]).toBe(Math.max(a[f], b[f]) - a[f])
      }
      expect(Object.keys(emptyScalars())).toEqual([...COUNTER_SCALARS])
    }), { numRuns: 200 })
  })
})
