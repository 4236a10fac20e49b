import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import type { Command, ReplyMessage, RequestMessage, Requests } from './cluster-protocol.js'

/** Every child this process forked, so that all of them can be ended on any exit path. */
const children = new Set<ChildProcess>()

/** Ends every child still running (SIGKILL: used on timeouts and crashes; graceful stop is `stop`). */
export function killAll (): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
}
process.on('exit', killAll)

interface Pending { resolve: (value: unknown) => void, reject: (err: Error) => void, timer: NodeJS.Timeout }

/** One hivebench daemon in its own process (scripts/cluster-node.js), driven over the IPC channel. */
export class ClusterNode {
  readonly child: ChildProcess
  readonly ready: Promise<void>
  peerId = ''
  addr = ''
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private exited: string | null = null

  constructor (readonly name: string, scriptDir: string) {
    this.child = fork(join(scriptDir, 'cluster-node.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: process.env.BENCH_CLUSTER_NODE_ARGS === undefined ? [] : process.env.BENCH_CLUSTER_NODE_ARGS.split(' '),
      env: { ...process.env }
    })
    children.add(this.child)
    let markReady: () => void = () => {}
    let failReady: (err: Error) => void = () => {}
    this.ready = new Promise((resolve, reject) => { markReady = resolve; failReady = reject })
    this.ready.catch(() => {})
    this.child.on('message', (message: ReplyMessage) => {
      if ('ready' in message) { markReady(); return }
      const p = this.pending.get(message.id)
      if (p === undefined) return
      this.pending.delete(message.id)
      clearTimeout(p.timer)
      if (message.ok) p.resolve(message.result)
      else p.reject(new Error(`${this.name}: ${message.error}`))
    })
    this.child.on('exit', (code, signal) => {
      children.delete(this.child)
      this.exited = `${this.name} exited (${signal ?? `code ${String(code)}`})`
      const err = new Error(this.exited)
      failReady(err)
      for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(err) }
      this.pending.clear()
    })
  }

  async call<C extends Command> (cmd: C, req: Requests[C]['req'], timeoutMs = 30_000): Promise<Requests[C]['res']> {
    if (this.exited !== null) throw new Error(this.exited)
    const id = this.nextId++
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${this.name}: '${cmd}' got no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer })
      const message: RequestMessage = { id, req: { cmd, ...req } as RequestMessage['req'] }
      this.child.send(message)
    })
  }

  /** graceful stop (the child removes its data dir and exits); kills it if that takes too long */
  async stop (): Promise<void> {
    if (this.exited !== null) return
    const gone = new Promise<void>(resolve => { this.child.once('exit', () => { resolve() }) })
    try {
      await this.call('stop', {}, 8_000)
    } catch {
      this.child.kill('SIGKILL')
    }
    await Promise.race([gone, sleep(3_000)])
    if (this.exited === null) this.child.kill('SIGKILL')
  }
}

export const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Nearest-rank percentile of a non-empty sample. */
export function percentile (values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}

export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

/** Polls `check` every `stepMs` until it holds; throws `what` after `timeoutMs`. */
export async function until (what: string, check: () => Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`)
    await sleep(stepMs)
  }
}

/**
 * Bootstrap targets of node i (i >= 1): its binary-heap parent (i-1)/2 and its predecessor i-1.
 * Connected, at most ~5 connections per node, diameter ~log2(N): not a full mesh.
 */
export function bootstrapTargets (i: number): number[] {
  if (i === 0) return []
  return [...new Set([Math.floor((i - 1) / 2), i - 1])]
}

/** Connections node i has in that topology (its own dials plus the nodes that dial it). */
export function expectedDegree (i: number, n: number): number {
  let degree = bootstrapTargets(i).length
  for (let j = i + 1; j < n; j++) if (bootstrapTargets(j).includes(i)) degree++
  return degree
}

export const bytes = (x: number): string =>
  x >= 1024 * 1024 * 1024 ? `${(x / 1024 / 1024 / 1024).toFixed(2)} GiB`
    : x >= 1024 * 1024 ? `${(x / 1024 / 1024).toFixed(2)} MiB`
      : x >= 1024 ? `${(x / 1024).toFixed(1)} KiB` : `${Math.round(x)} B`
