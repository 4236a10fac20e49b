import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

describe('hivebench CLI', () => {
  it('records, ranks and prints JSON; HIVEBENCH_DATA_DIR stands in for --data-dir', () => {
    const dir = tempDir()
    for (let i = 0; i < 6; i++) {
      expect(runCli(['record', '--data-dir', dir, '--task-type', 'bug_fix', '--tool', 'aider', '--success', 'true', '--duration', '20']).code).toBe(0)
    }
    const dup = runCli(['record', '--task-type', 'bug_fix', '--tool', 'ruff', '--outcome', 'no_tool_calls', '--id', 'k'], { HIVEBENCH_DATA_DIR: dir })
    expect(dup.stdout).toContain('recorded 1 outcome')
    expect(runCli(['record', '--task-type', 'bug_fix', '--tool', 'ruff', '--outcome', 'no_tool_calls', '--id', 'k'], { HIVEBENCH_DATA_DIR: dir }).stdout).toContain('duplicate id k')

    const best = runCli(['best', 'bug_fix', '--data-dir', dir, '--json', '--scope', 'local'])
    expect(best.code).toBe(0)
    const parsed = JSON.parse(best.stdout)
    expect(parsed).toMatchObject({ task_type: 'bug_fix', scope: 'local', best: { tool: 'aider', n: 6, pass: 6, origins: 1 } })
    expect(Object.keys(parsed.best)).toEqual(expect.arrayContaining(['tool', 'model', 'n', 'pass', 'pass_rate', 'wilson_lower', 'p50_s', 'p90_s', 'mean_cost_usd', 'outcomes', 'origins']))
    expect(parsed.ranking[1]).toMatchObject({ tool: 'ruff', outcomes: { no_tool_calls: 1 } })

    const table = runCli(['stats', '--data-dir', dir])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/bug_fix[\s\S]*aider[\s\S]*100\.0%/)
  })

  it('exits 1 with one line naming the field and rule, no stack trace', () => {
    const dir = tempDir()
    const bad = runCli(['record', '--data-dir', dir, '--task-type', 'bug_fix', '--tool', 'aider', '--outcome', 'pass', '--duration', '-2'])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe('hivebench: duration_s: must be > 0 (omit it when unknown)')
    const usage = runCli(['best', '--data-dir', dir, 'x', '--scope', 'galaxy'])
    expect(usage.code).toBe(1)
    expect(usage.stderr).toContain('must be local or hive')
    expect(usage.stderr).not.toMatch(/\n\s+at /)
  })

  it('imports a file all-or-nothing and reports the bad line', () => {
    const dir = tempDir()
    const file = join(dir, 'o.csv')
    writeFileSync(file, 'task_type,tool,outcome\na,x,pass\na,x,maybe\n')
    const r = runCli(['import', file, '--data-dir', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('line 3: outcome: must be one of')
    expect(JSON.parse(runCli(['stats', '--data-dir', dir, '--json']).stdout).task_types).toEqual([])
    writeFileSync(file, 'task_type,tool,outcome\na,x,pass\na,x,timeout\n')
    expect(runCli(['import', file, '--data-dir', dir]).stdout).toContain('imported 2 outcomes')
  })
})

describe('hivebench id / export-delta / import-delta', () => {
  it('exchange signed envelope files; a tampered file is rejected with its rule and exit 1', async () => {
    const { readFileSync } = await import('node:fs')
    const [a, b] = [tempDir(), tempDir()]
    const idA = runCli(['id', '--data-dir', a]).stdout.trim()
    expect(idA).toMatch(/^12D3KooW/)
    expect(runCli(['id', '--data-dir', a]).stdout.trim()).toBe(idA)
    runCli(['record', '--data-dir', a, '--task-type', 'bug_fix', '--tool', 'aider', '--success', 'true'])
    const file = join(a, 'delta.hb')
    expect(runCli(['export-delta', '--data-dir', a, '--out', file]).stdout).toContain('wrote delta of 1 keys')
    expect(runCli(['export-delta', '--data-dir', a, '--out', join(a, 'again.hb')]).stdout).toContain('nothing changed')

    const imported = runCli(['import-delta', '--data-dir', b, file, '--json'])
    expect(imported.code).toBe(0)
    expect(JSON.parse(imported.stdout)).toMatchObject([{ verdict: 'accepted', origin: idA, seq: 1 }])
    expect(JSON.parse(runCli(['best', 'bug_fix', '--data-dir', b, '--json', '--min-samples', '1']).stdout).best).toMatchObject({ tool: 'aider', origins: 1 })
    expect(runCli(['import-delta', '--data-dir', b, file]).stdout).toContain('ignored (R22)')

    const tampered = join(a, 'tampered.hb')
    const bytes = readFileSync(file)
    bytes[bytes.length - 80] ^= 0x01
    writeFileSync(tampered, bytes)
    const rejected = runCli(['import-delta', '--data-dir', tempDir(), tampered])
    expect(rejected.code).toBe(1)
    expect(rejected.stdout).toMatch(/rejected \(R\d+\)/)
  })
})

describe('export-delta to a file that cannot be written', () => {
  it('fails with exit 1 and keeps the delta pending', () => {
    const dir = tempDir()
    runCli(['record', '--data-dir', dir, '--task-type', 'bug_fix', '--tool', 'aider', '--success', 'true'])
    const failed = runCli(['export-delta', '--data-dir', dir, '--out', join(dir, 'no-such-dir', 'd.hb')])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('cannot write')
    expect(runCli(['export-delta', '--data-dir', dir, '--out', join(dir, 'd.hb')]).stdout).toContain('wrote delta of 1 keys as 1 envelope(s), seq 1')
  })
})
