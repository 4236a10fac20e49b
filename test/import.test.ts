import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readOutcomeFile } from '../src/ingest/outcome-file.js'
import { ValidationError } from '../src/errors.js'
import { openTracker } from '../src/tracker.js'
import { tempDir } from './helpers/tmp.js'

export const SWEBENCH_CSV = new URL('../../shared/data/swebench-verified-bash-only.csv', import.meta.url).pathname

function importFile (path: string, dataDir = tempDir()) {
  const { rows } = readOutcomeFile(path)
  const t = openTracker({ dataDir })
  try {
    return t.recordBatch(rows.map(r => r.input), { lines: rows.map(r => r.line) })
  } finally {
    t.close()
  }
}

describe('import of the SWE-bench Verified bash-only file', () => {
  it('gives the same per-model pass counts as a direct count of the file', () => {
    const lines = readFileSync(SWEBENCH_CSV, 'utf8').trim().split('\n').slice(1)
    const expected = new Map<string, { n: number, pass: number }>()
    for (const line of lines) {
      const [, , model, outcome] = line.split(',')
      const e = expected.get(model) ?? { n: 0, pass: 0 }
      e.n++
      if (outcome === 'pass') e.pass++
      expected.set(model, e)
    }
    expect(lines).toHaveLength(12_500)
    expect(expected.size).toBe(25)

    const dataDir = tempDir()
    expect(importFile(SWEBENCH_CSV, dataDir)).toEqual({ recorded: 12_500, duplicates: 0 })
    // its task_id column (with tool and model) keys every row: a second import counts nothing
    expect(importFile(SWEBENCH_CSV, dataDir)).toEqual({ recorded: 0, duplicates: 12_500 })
    const t = openTracker({ dataDir })
    const actual = new Map<string, { n: number, pass: number }>()
    for (const { ranking } of t.stats({ scope: 'local', minSamples: 1 }).task_types) {
      for (const arm of ranking) {
        expect(arm.tool).toBe('mini-swe-agent')
        expect(arm.p50_s).toBeNull() // no durations in this file: unknown, never 0
        const a = actual.get(arm.model) ?? { n: 0, pass: 0 }
        a.n += arm.n
        a.pass += arm.pass
        actual.set(arm.model, a)
      }
    }
    t.close()
    expect(actual).toEqual(expected)
  })
})

describe('outcome files', () => {
  it('reads JSON Lines, accepts completion_time_s for duration_s, reports ignored keys', () => {
    const file = join(tempDir(), 'o.jsonl')
    writeFileSync(file, '{"task_type":"a","tool":"x","success":true,"completion_time_s":4.5,"extra":1}\n\n{"task_type":"a","tool":"x","outcome":"timeout"}\n')
    const { rows, ignored } = readOutcomeFile(file)
    expect(rows).toEqual([
      { line: 1, input: { task_type: 'a', tool: 'x', success: true, duration_s: 4.5 } },
      { line: 3, input: { task_type: 'a', tool: 'x', outcome: 'timeout' } }
    ])
    expect(ignored).toEqual(['extra'])
  })

  it('converts CSV cells: empty = missing, numbers, booleans', () => {
    const file = join(tempDir(), 'o.csv')
    writeFileSync(file, 'task_type,tool,model,success,completion_time_s,cost_usd,offloaded\nbug_fix,aider,,true,12,,no\n')
    expect(readOutcomeFile(file).rows).toEqual([
      { line: 2, input: { task_type: 'bug_fix', tool: 'aider', success: true, duration_s: 12, offloaded: false } }
    ])
  })

  it('refuses a file with invalid UTF-8, naming the line, rather than record altered labels', () => {
    const file = join(tempDir(), 'o.csv')
    writeFileSync(file, Buffer.concat([Buffer.from('task_type,tool,outcome\na,x,pass\nb'), Buffer.from([0xc3, 0x28]), Buffer.from(',x,pass\n')]))
    expect(() => readOutcomeFile(file)).toThrow('line 3: (file): not valid UTF-8')
  })

  it.each([
    ['csv', 'task_type,tool,outcome,duration_s\na,x,pass,1\na,x,pass,1\na,x,pass,abc\na,x,pass,1\n', 'line 4: duration_s: must be a number'],
    ['jsonl', '{"task_type":"a","tool":"x","success":true}\n{"task_type":"a","tool":"x","success":tru}\n', 'line 2: (line): is not valid JSON'],
    ['jsonl', '{"task_type":"a","tool":"x","success":true}\n{"task_type":"a","success":true}\n', 'line 2: tool: required']
  ])('a bad line in a %s file is reported by number and stores nothing', (ext, text, message) => {
    const dataDir = tempDir()
    const file = join(dataDir, `o.${ext}`)
    writeFileSync(file, text)
    let error: unknown
    try { importFile(file, dataDir) } catch (err) { error = err }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as Error).message).toBe(message)
    const t = openTracker({ dataDir })
    expect(t.store.localCounters()).toEqual([])
    t.close()
  })
})
