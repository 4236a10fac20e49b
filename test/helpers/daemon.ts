import { spawn, type ChildProcess } from 'node:child_process'
import { CLI } from './cli.js'
import { eventually } from './hive.js'

export interface Daemon { child: ChildProcess, url: string, log: () => string, exited: Promise<number | null> }

const children = new Set<ChildProcess>()

/** `hivebench start` as a child process on loopback (HTTP on a free port); resolves once it serves. */
export async function startDaemon (dataDir: string, extraArgs: string[] = []): Promise<Daemon> {
  const child = spawn(process.execPath, [CLI, 'start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  const exited = new Promise<number | null>(resolve => child.on('exit', code => { children.delete(child); resolve(code) }))
  let log = ''
  child.stdout?.on('data', (d: Buffer) => { log += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { log += d.toString() })
  let url = ''
  await eventually(() => {
    const m = /"http":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"hivebench daemon started"/.exec(log)
    if (m !== null) url = m[1]
    if (child.exitCode !== null) throw new Error(`daemon exited: ${log}`)
    return url !== ''
  }, 20_000)
  return { child, url, log: () => log, exited }
}

/** Kills every daemon a test left running. */
export function killDaemons (): void {
  for (const c of children) c.kill('SIGKILL')
  children.clear()
}
