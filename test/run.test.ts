import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { openTracker } from '../src/tracker.js'
import { CLI, type CliResult } from './helpers/cli.js'
import { killDaemons, startDaemon } from './helpers/daemon.js'
import { tempDir } from './helpers/tmp.js'

const AGENTS = fileURLToPath(new URL('./fixtures/agents/', import.meta.url))
const agent = (name: string): string[] => [process.execPath, join(AGENTS, `${name}.mjs`)]
const shellAgent = (name: string): string => `"${process.execPath}" "${join(AGENTS, `${name}.mjs`)}"`

afterEach(killDaemons)

/** A git repository with one commit, as an agent's work tree. */
function repo (): string {
  const dir = tempDir('hivebench-run-repo-')
  const git = (...args: string[]): void => { expect(spawnSync('git', args, { cwd: dir }).status).toBe(0) }
  git('init', '-q')
  writeFileSync(join(dir, 'work.txt'), 'start\n')
  git('add', '.')
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'start')
  return dir
}

function hb (args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The outcome mix per tool recorded in a data dir. */
function recorded (dataDir: string): Record<string, Record<string, number>> {
  const t = openTracker({ dataDir })
  try {
    const arms = t.stats({ scope: 'local', minSamples: 1 }).task_types.flatMap(x => x.ranking)
    return Object.fromEntries(arms.map(a => [a.tool, Object.fromEntries(Object.entries(a.outcomes).filter(([, n]) => n > 0))]))
  } finally {
    t.close()
  }
}

describe('hivebench run', () => {
  it('classifies each way an agent ends, records it, and exits with the agent\'s status', () => {
    const cwd = repo()
    const data = tempDir()
    const cases: Array<{ tool: string, args: string[], code: number, outcome: string, why: RegExp }> = [
      { tool: 'edits', args: agent('edit'), code: 0, outcome: 'pass', why: /exited 0, no --check/ },
      { tool: 'idle', args: agent('idle'), code: 0, outcome: 'no_tool_calls', why: /changed no file/ },
      { tool: 'fails', args: agent('fail'), code: 3, outcome: 'error', why: /exited with status 3/ },
      { tool: 'crashes', args: agent('crash'), code: 128 + 9, outcome: 'error', why: /died by SIGKILL/ },
      { tool: 'hangs', args: ['--timeout', '1', '--', ...agent('hang')], code: 124, outcome: 'timeout', why: /killed after --timeout 1s/ },
      { tool: 'graded', args: ['--check', 'exit 0', '--', ...agent('edit')], code: 0, outcome: 'pass', why: /check passed: exit 0/ },
      { tool: 'rejected', args: ['--check', 'exit 1', '--', ...agent('edit')], code: 0, outcome: 'grader_fail', why: /check exited 1: exit 1/ }
    ]
    for (const c of cases) {
      const args = c.args[0].startsWith('--') ? c.args : ['--', ...c.args]
      const r = hb(['run', '--data-dir', data, '--task-type', 'bug_fix', '--tool', c.tool, ...args], cwd)
      expect(r.code, `${c.tool}: ${r.stderr}`).toBe(c.code)
      expect(r.stderr).toMatch(new RegExp(`^hivebench run: ${c.tool}: ${c.outcome} in [\\d.]+s \\(`, 'm'))
      expect(r.stderr).toMatch(c.why)
      expect(r.stderr).toContain('recorded embedded (no daemon running)')
    }
    expect(recorded(data)).toEqual(Object.fromEntries(cases.map(c => [c.tool, { [c.outcome]: 1 }])))

    // outside a git work tree "changed no file" cannot be told: exit 0 is a pass
    const plain = tempDir()
    expect(hb(['run', '--data-dir', plain, '--task-type', 'bug_fix', '--tool', 'idle', '--', ...agent('idle')], tempDir()).stderr).toContain('idle: pass')
    expect(recorded(plain)).toEqual({ idle: { pass: 1 } })
  }, 60_000)

  it('counts a retried run with the same --id once; refuses a bad label before running the agent', () => {
    const cwd = repo()
    const data = tempDir()
    for (let i = 0; i < 2; i++) hb(['run', '--data-dir', data, '--task-type', 'bug_fix', '--tool', 'aider', '--id', 'job-7', '--', ...agent('edit')], cwd)
    expect(recorded(data)).toEqual({ aider: { pass: 1 } })
    const bad = hb(['run', '--data-dir', data, '--task-type', ' ', '--tool', 'aider', '--', ...agent('edit')], cwd)
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe('hivebench: task_type: required, must not be empty')
    expect(spawnSync('git', ['diff', '--stat'], { cwd, encoding: 'utf8' }).stdout).toContain('work.txt | 2 ++') // the two runs' edits: the refused one never ran
  }, 30_000)

  it('--choose runs the arm the real route() picks, exploration included, and records it under that tool', () => {
    const cwd = repo()
    const data = tempDir()
    const t = openTracker({ dataDir: data })
    t.recordBatch([
      ...Array.from({ length: 20 }, (_, i) => ({ task_type: 'bug_fix', tool: 'good', outcome: 'pass' as const, id: `g${i}` })),
      ...Array.from({ length: 20 }, (_, i) => ({ task_type: 'bug_fix', tool: 'bad', outcome: i < 5 ? 'pass' as const : 'grader_fail' as const, id: `b${i}` }))
    ])
    const choose = ['--choose', `good=${shellAgent('edit')}`, '--choose', `bad=${shellAgent('fail')}`, '--choose', `fresh=${shellAgent('edit')}`]
    for (const [share, seed] of [['0', '1'], ['1', '2'], ['1', '3'], ['0.5', '4'], ['0.5', '5']]) {
      const expected = t.route('bug_fix', { tools: ['good', 'bad', 'fresh'], exploreShare: Number(share), seed })
      const before = recorded(data)
      const r = hb(['run', '--data-dir', data, '--task-type', 'bug_fix', '--explore-share', share, '--seed', seed, ...choose], cwd)
      const tool = expected.arm?.tool ?? '?'
      expect(r.stderr).toContain(`hivebench run: ${tool}: ${tool === 'bad' ? 'error' : 'pass'}`)
      expect(r.stderr).toContain(`route: ${expected.reason}`)
      const after = recorded(data)
      const n = (x: typeof before): number => Object.values(x[tool] ?? {}).reduce((a, b) => a + b, 0)
      expect(n(after)).toBe(n(before) + 1)
      if (share === '0') expect(tool).toBe('good')
      if (share === '1') expect(expected.mode).toBe('explore')
    }
    // the never-seen candidate is offered with no samples: its draw (5 samples at most while it is not benchmarked) reaches it now and then
    const fresh = Array.from({ length: 300 }, (_, i) => t.route('bug_fix', { tools: ['good', 'bad', 'fresh'], exploreShare: 1, seed: i })).filter(d => d.arm?.tool === 'fresh')
    expect(fresh.length).toBeGreaterThan(0)
    expect(fresh[0].reason).toMatch(/fresh drew 0\.\d{3} from its Beta\(\d, \d\) posterior \(n=\d, not yet benchmarked\)/)
    t.close()
    expect(hb(['run', '--data-dir', data, '--task-type', 'bug_fix', '--tool', 'x', ...choose], cwd).stderr).toContain('either --choose')
  }, 60_000)

  it('passes Ctrl-C to the agent; records it only with --record-interrupted', async () => {
    const cwd = repo()
    const data = tempDir()
    const interrupt = async (extra: string[]): Promise<{ code: number | null, stderr: string }> => {
      const child = spawn(process.execPath, [CLI, 'run', '--data-dir', data, '--task-type', 'bug_fix', '--tool', 'hangs', ...extra, '--', ...agent('hang')], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
      await new Promise<void>(resolve => child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('agent running')) resolve() }))
      child.kill('SIGINT')
      const code = await new Promise<number | null>(resolve => child.on('exit', c => { resolve(c) }))
      return { code, stderr }
    }
    const plain = await interrupt([])
    expect(plain.code).toBe(130)
    expect(plain.stderr).toMatch(/hangs: interrupted \(SIGINT\) after [\d.]+s; not recorded/)
    expect(recorded(data)).toEqual({})
    const kept = await interrupt(['--record-interrupted'])
    expect(kept.code).toBe(130)
    expect(kept.stderr).toContain('hangs: error')
    expect(kept.stderr).toContain('died by SIGINT')
    expect(recorded(data)).toEqual({ hangs: { error: 1 } })
  }, 30_000)

  it('records through the running daemon; falls back to embedded when it is gone or does not answer', async () => {
    const cwd = repo()
    const data = tempDir()
    const daemon = await startDaemon(data)
    const viaDaemon = hb(['run', '--data-dir', data, '--task-type', 'bug_fix', '--tool', 'aider', '--', ...agent('edit')], cwd)
    expect(viaDaemon.stderr).toContain('aider: pass')
    expect(viaDaemon.stderr).toContain('recorded through the daemon')
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text()
    expect(metrics).toMatch(/^hivebench_outcomes_recorded_total 1$/m)

    // the agent kills the daemon mid-run: the outcome is written embedded
    const midRun = hb(['run', '--data-dir', data, '--task-type', 'bug_fix', '--tool', 'aider', '--', ...agent('kill-daemon')], cwd, { HIVEBENCH_DATA_DIR: data })
    expect(await daemon.exited).not.toBe(0)
    expect(midRun.stderr).toContain('recorded embedded')
    expect(recorded(data)).toEqual({ aider: { pass: 2 } })

    // a daemon that is registered (its process lives) but does not answer
    writeFileSync(join(data, 'daemon.json'), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:9', peerId: 'x' }))
    const silent = hb(['run', '--data-dir', data, '--task-type', 'bug_fix', '--tool', 'aider', '--', ...agent('edit')], cwd)
    expect(silent.stderr).toMatch(/recorded embedded \(the daemon at http:\/\/127\.0\.0\.1:9 does not answer/)
    expect(recorded(data)).toEqual({ aider: { pass: 3 } })
  }, 60_000)
})
