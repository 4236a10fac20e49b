import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

// The compiled script (npm test runs tsc first): one process per node, as `npm run bench:cluster` does.
const script = fileURLToPath(new URL('../dist/scripts/bench-cluster.js', import.meta.url))
const built = existsSync(script) && existsSync(fileURLToPath(new URL('../dist/scripts/cluster-node.js', import.meta.url)))

const dirs: string[] = []
const procs: ChildProcess[] = []
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Runs the script with its own TMPDIR, so what it leaves behind can be checked. */
function run (args: string[]): { proc: ChildProcess, tmp: string, done: Promise<{ code: number | null, stdout: string, stderr: string }> } {
  const tmp = mkdtempSync(join(tmpdir(), 'hivebench-cluster-test-'))
  dirs.push(tmp)
  const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] })
  procs.push(proc)
  let stdout = ''
  let stderr = ''
  proc.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  proc.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const done = new Promise<{ code: number | null, stdout: string, stderr: string }>(resolve => {
    proc.on('exit', code => { resolve({ code, stdout, stderr }) })
  })
  return { proc, tmp, done }
}

async function eventually (check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

describe.skipIf(!built)('bench:cluster script (node processes on 127.0.0.1)', () => {
  it('runs 3 nodes for one round and a late joiner, converges, and leaves no temp dir behind', async () => {
    const { tmp, done } = run(['--nodes', '3', '--rounds', '1', '--warmup', '0', '--late-origins', '2', '--late-keys', '50',
      '--late-members', '1', '--joiners', '1', '--timeout-s', '40', '--json'])
    const { code, stdout, stderr } = await done
    expect(code, stderr).toBe(0)
    const summary = JSON.parse(stdout) as {
      clusters: Array<{ nodes: number, rounds: Array<{ convergeMs: number, appPublished: number, wireRecv: number }> }>
      late: { viewRows: number, joins: Array<{ connectToConvergedMs: number }> }
    }
    expect(summary.clusters).toHaveLength(1)
    expect(summary.clusters[0].nodes).toBe(3)
    expect(summary.clusters[0].rounds).toHaveLength(1)
    const round = summary.clusters[0].rounds[0]
    expect(round.convergeMs).toBeLessThan(10_000)
    expect(round.appPublished).toBeGreaterThan(0)
    expect(round.wireRecv).toBeGreaterThan(round.appPublished) // framing and relaying add to the envelope bytes
    expect(summary.late.viewRows).toBe(100)
    expect(summary.late.joins).toHaveLength(1)
    expect(summary.late.joins[0].connectToConvergedMs).toBeLessThan(10_000)
    expect(readdirSync(tmp)).toEqual([])
  }, 40_000)

  it('node processes stop and remove their data dirs when the parent is killed', async () => {
    const { proc, tmp, done } = run(['--nodes', '3', '--rounds', '1000', '--no-late', '--timeout-s', '60'])
    const nodeDirs = (): string[] => readdirSync(tmp).flatMap(root => existsSync(join(tmp, root)) ? readdirSync(join(tmp, root)) : [])
    await eventually(() => nodeDirs().length === 3, 20_000)
    proc.kill('SIGKILL') // no cleanup in the parent: the children must notice on their own
    await done
    await eventually(() => nodeDirs().length === 0, 10_000)
  }, 40_000)
})
