import { spawnSync } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DAY_MS } from '../src/core/time.js'
import { readSweBench, repositoryOf } from '../src/ingest/swe-bench.js'
import { readTerminalBenchRun, terminalBenchOutcome } from '../src/ingest/terminal-bench.js'
import { openTracker } from '../src/tracker.js'
import { CLI, runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
const fixture = (path: string): string => join(FIXTURES, path)
const NOW = Date.parse('2026-11-29T12:00:00Z')

/** Every arm of a data dir: task type, tool, model -> outcome mix (non-zero classes) and n. */
function arms (dataDir: string): Record<string, Record<string, number>> {
  const t = openTracker({ dataDir })
  try {
    const out: Record<string, Record<string, number>> = {}
    for (const { task_type: taskType, ranking } of t.stats({ scope: 'local', minSamples: 1, windowDays: 90 }).task_types) {
      for (const a of ranking) out[`${taskType} | ${a.tool} | ${a.model}`] = Object.fromEntries(Object.entries(a.outcomes).filter(([, n]) => n > 0))
    }
    return out
  } finally {
    t.close()
  }
}

function importTwice (args: string[]): { dataDir: string, first: string, second: string } {
  const dataDir = tempDir()
  const first = runCli(['import', '--data-dir', dataDir, ...args])
  expect(first.code, first.stderr).toBe(0)
  const counts = arms(dataDir)
  const second = runCli(['import', '--data-dir', dataDir, ...args])
  expect(second.code, second.stderr).toBe(0)
  expect(arms(dataDir)).toEqual(counts)
  return { dataDir, first: first.stdout, second: second.stdout }
}

describe('Terminal-Bench run directories', () => {
  it('map each failure mode to an outcome class', () => {
    expect([
      terminalBenchOutcome(true, 'unset'), terminalBenchOutcome(true, 'agent_timeout'),
      terminalBenchOutcome(false, 'agent_timeout'), terminalBenchOutcome(false, 'test_timeout'), terminalBenchOutcome(null, 'agent_timeout'),
      terminalBenchOutcome(false, 'parse_error'), terminalBenchOutcome(false, 'unset'), terminalBenchOutcome(false, 'unknown_agent_error'),
      terminalBenchOutcome(false, 'fatal_llm_parse_error'), terminalBenchOutcome(false, 'context_length_exceeded')
    ]).toEqual(['pass', 'pass', 'timeout', 'timeout', 'timeout', 'no_tool_calls', 'grader_fail', 'error', 'error', 'error'])
  })

  it('an older run (uuid per trial, run_metadata.json): task types without difficulty suffix, durations from the timestamps, idempotent', () => {
    const { dataDir, first, second } = importTwice([fixture('terminal-bench/old-run')])
    expect(first.trim()).toBe(`imported 6 outcomes from ${fixture('terminal-bench/old-run')} (terminal-bench; ids from the trials)`)
    expect(second).toContain('imported 0 outcomes')
    expect(second).toContain('6 duplicates (already recorded ids) counted once')
    const arm = (t: string): string => `${t} | terminus | anthropic/claude-sonnet-4`
    expect(arms(dataDir)).toEqual({
      [arm('hello-world')]: { pass: 1, grader_fail: 1 },
      [arm('fix-git')]: { timeout: 1, error: 1 },
      [arm('build-linux-kernel')]: { timeout: 1 },
      [arm('csv-to-parquet')]: { no_tool_calls: 1 }
    })
    const { rows } = readTerminalBenchRun(fixture('terminal-bench/old-run'), { nowMs: NOW, retentionDays: 90 })
    expect(rows.map(r => r.input.duration_s)).toEqual([30.5, 1800, 1800, undefined, 20, undefined])
    expect(rows.map(r => r.input.id)).toEqual(JSON.parse(readFileSync(fixture('terminal-bench/old-run/results.json'), 'utf8')).results.map((t: { uuid: string }) => t.uuid))
    expect(rows.every(r => r.input.at === undefined)).toBe(true) // dated at import by default
    // --tool / --model override the metadata
    expect(readTerminalBenchRun(fixture('terminal-bench/old-run'), { tool: 'my-agent', nowMs: NOW, retentionDays: 90 }).rows[0].input).toMatchObject({ tool: 'my-agent', model: 'anthropic/claude-sonnet-4' })
  })

  it('a newer run (id per trial, no metadata) needs --tool and --model; --task-type-from picks a field', () => {
    const dir = fixture('terminal-bench/new-run')
    const missing = runCli(['import', '--data-dir', tempDir(), dir, '--tool', 'codex'])
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim()).toBe(`hivebench: ${dir}: no run_metadata.json (a newer Terminal-Bench run): give --model`)
    const { dataDir } = importTwice([dir, '--tool', 'codex', '--model', 'gpt-5', '--task-type-from', 'category'])
    expect(arms(dataDir)).toEqual({
      'software-engineering | codex | gpt-5': { pass: 1, timeout: 1 },
      'security | codex | gpt-5': { pass: 1, grader_fail: 1 }
    })
    const { rows } = readTerminalBenchRun(dir, { tool: 'codex', model: 'gpt-5', nowMs: NOW, retentionDays: 90 })
    expect(rows.map(r => [r.input.task_type, r.input.id])).toEqual([
      ['sqlite-with-gcov', 'a1000000-0000-4000-8000-000000000001'], ['sqlite-with-gcov', 'a1000000-0000-4000-8000-000000000002'],
      ['password-recovery', 'a1000000-0000-4000-8000-000000000003'], ['password-recovery', 'a1000000-0000-4000-8000-000000000004']
    ])
  })

  it('--keep-times dates outcomes by their trial start and counts the ones past retention; the id falls back to run id + trial name', () => {
    const dir = tempDir()
    cpSync(fixture('terminal-bench/old-run'), dir, { recursive: true })
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { results: Array<Record<string, unknown>> }
    const recent = new Date(Date.now() - 3 * DAY_MS)
    results.results[0].trial_started_at = recent.toISOString()
    results.results[0].trial_ended_at = new Date(recent.getTime() + 30_000).toISOString()
    delete results.results[0].uuid
    results.results[3].trial_started_at = recent.toISOString()
    writeFileSync(join(dir, 'results.json'), JSON.stringify(results))
    const { dataDir, first } = importTwice([dir, '--keep-times'])
    expect(first).toContain('imported 2 outcomes')
    expect(first).toContain('4 skipped: older than the retention window (--keep-times)')
    expect(Object.keys(arms(dataDir)).sort()).toEqual(['csv-to-parquet | terminus | anthropic/claude-sonnet-4', 'hello-world | terminus | anthropic/claude-sonnet-4'])
    const { rows } = readTerminalBenchRun(dir, { keepTimes: true, nowMs: Date.now(), retentionDays: 90 })
    expect(rows[0].input).toMatchObject({ id: '2025-06-02__14-03-11:hello-world.1-of-1.2025-06-02__14-03-11', at: recent.toISOString(), duration_s: 30 })
  })

  it('a malformed run is one line naming the file and the field, and stores nothing', () => {
    const dataDir = tempDir()
    const r = runCli(['import', '--data-dir', dataDir, fixture('terminal-bench/broken-run'), '--tool', 't', '--model', 'm'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`hivebench: ${fixture('terminal-bench/broken-run/results.json')}: results[1].task_id: required, must be a non-empty string`)
    expect(arms(dataDir)).toEqual({})
  })
})

describe('SWE-bench evaluation reports', () => {
  it('task type = the repository of the instance id', () => {
    expect(['django__django-11099', 'scikit-learn__scikit-learn-13142', 'psf__requests-2317', 'nope'].map(repositoryOf))
      .toEqual(['django/django', 'scikit-learn/scikit-learn', 'psf/requests', null])
  })

  it('the run summary: resolved, unresolved, empty patch and error ids; idempotent; the same ids as the per-instance reports', () => {
    const summary = fixture('swe-bench/openai__gpt-4o.run7.json')
    const { dataDir, first, second } = importTwice([summary, '--tool', 'swe-agent'])
    expect(first).toContain('imported 6 outcomes')
    expect(first).toContain('(swe-bench; ids from run and instance)')
    expect(second).toContain('6 duplicates')
    const arm = (t: string): string => `${t} | swe-agent | openai/gpt-4o`
    expect(arms(dataDir)).toEqual({
      [arm('django/django')]: { pass: 1, grader_fail: 1 },
      [arm('astropy/astropy')]: { pass: 1 },
      [arm('sympy/sympy')]: { grader_fail: 1 },
      [arm('psf/requests')]: { no_tool_calls: 1 },
      [arm('scikit-learn/scikit-learn')]: { error: 1 }
    })
    // the harness's per-instance reports of the same run name the same outcomes: nothing new
    const logs = runCli(['import', '--data-dir', dataDir, fixture('swe-bench/logs'), '--tool', 'swe-agent'])
    expect(logs.stdout).toContain('imported 0 outcomes')
    expect(logs.stdout).toContain('3 duplicates')
  })

  it('per-instance report.json files under a directory: run and model from the path', () => {
    const { dataDir } = importTwice([fixture('swe-bench/logs'), '--tool', 'swe-agent'])
    expect(arms(dataDir)).toEqual({
      'django/django | swe-agent | openai/gpt-4o': { pass: 1 },
      'sympy/sympy | swe-agent | openai/gpt-4o': { grader_fail: 1 },
      'psf/requests | swe-agent | openai/gpt-4o': { no_tool_calls: 1 }
    })
    const one = readSweBench(fixture('swe-bench/logs/run_evaluation/run7/openai__gpt-4o/django__django-11099/report.json'), { tool: 'a', model: 'm', runId: 'r' })
    expect(one.rows).toEqual([{ line: 1, input: { task_type: 'django/django', tool: 'a', model: 'm', outcome: 'pass', id: 'swe-bench:r:django__django-11099' } }])
  })

  it('needs --tool; a malformed report is one line naming the file and the field, and stores nothing', () => {
    const dataDir = tempDir()
    expect(runCli(['import', '--data-dir', dataDir, fixture('swe-bench/logs')]).stderr).toContain('SWE-bench reports do not name the agent: give --tool')
    const file = fixture('swe-bench/broken/report.json')
    const r = runCli(['import', '--data-dir', dataDir, file, '--tool', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`hivebench: ${file}: django__django-11133.resolved: required, must be true or false`)
    expect(arms(dataDir)).toEqual({})
  })
})

describe('CSV, JSON Lines and JSON tables', () => {
  it('--id-column and --map: other column names, idempotent', () => {
    const file = fixture('tables/jobs.csv')
    const maps = ['--map', 'task_type=repo', '--map', 'tool=agent', '--map', 'model=llm', '--map', 'outcome=result', '--map', 'duration_s=seconds', '--map', 'cost_usd=usd']
    const { dataDir, first, second } = importTwice([file, '--id-column', 'job', ...maps])
    expect(first.trim()).toBe(`imported 4 outcomes from ${file} (table; ids from column job)`)
    expect(second).toContain('4 duplicates (already recorded ids) counted once')
    expect(arms(dataDir)).toEqual({
      'django/django | aider | gpt-5': { pass: 1, grader_fail: 1 },
      'sympy/sympy | claude-code | claude-opus-4': { pass: 1, timeout: 1 }
    })
  })

  it('--id-from hashes columns (JSON Lines); - reads standard input', () => {
    const file = fixture('tables/attempts.jsonl')
    const dataDir = tempDir()
    const viaStdin = (): string => {
      const r = spawnSync(process.execPath, [CLI, 'import', '-', '--data-dir', dataDir, '--id-from', 'run,attempt'], { input: readFileSync(file), encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
      expect(r.stderr).not.toContain('ignored columns') // the id columns are used, not ignored
      return r.stdout
    }
    expect(viaStdin()).toContain('imported 3 outcomes from standard input (table; ids hashed from run, attempt)')
    expect(viaStdin()).toContain('imported 0 outcomes from standard input (table; ids hashed from run, attempt; 3 duplicates')
    expect(arms(dataDir)).toEqual({ 'bug_fix | aider | gpt-5': { pass: 2, error: 1 } })
  })

  it('a JSON array with an id field; a file with task_id gets ids from task_id, tool and model; a file without ids says so', () => {
    const { dataDir } = importTwice([fixture('tables/outcomes.json')])
    expect(arms(dataDir)).toEqual({ 'docs | codex | ': { pass: 1, grader_fail: 1, no_tool_calls: 1 } })
    const dir = tempDir()
    writeFileSync(join(dir, 'bench.csv'), 'task_type,tool,model,outcome,task_id\nrepo/a,agent,m1,pass,a__a-1\nrepo/a,agent,m2,pass,a__a-1\nrepo/a,agent,m1,grader_fail,a__a-2\n')
    const keyed = importTwice([join(dir, 'bench.csv')])
    expect(keyed.first).toContain('ids hashed from task_id, tool and model')
    expect(keyed.second).toContain('3 duplicates')
    writeFileSync(join(dir, 'plain.csv'), 'task_type,tool,outcome\nrepo/a,agent,pass\n')
    expect(runCli(['import', '--data-dir', tempDir(), join(dir, 'plain.csv')]).stdout).toContain('no ids: importing this file again counts its rows again (give --id-column or --id-from)')
  })

  it('a malformed file is one line naming the file, the line and the field; nothing stored', () => {
    const dataDir = tempDir()
    const file = fixture('tables/bad-duration.csv')
    const r = runCli(['import', '--data-dir', dataDir, file, '--id-column', 'job', '--map', 'task_type=repo', '--map', 'tool=agent', '--map', 'outcome=result', '--map', 'duration_s=seconds'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`hivebench: ${file}: line 3: duration_s: must be > 0 (omit it when unknown)`)
    expect(arms(dataDir)).toEqual({})
    const typo = runCli(['import', '--data-dir', dataDir, file, '--id-column', 'jobs'])
    expect(typo.stderr.trim()).toMatch(/^hivebench: .*bad-duration\.csv: \(columns\): no column "jobs" \(columns: job, repo, /)
    expect(runCli(['import', '--data-dir', dataDir, file, '--map', 'task_typ=repo']).stderr).toContain('--map: task_typ is not an outcome field')
  })
})
