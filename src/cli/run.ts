import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { constants } from 'node:os'
import { InvalidArgumentError } from 'commander'
import { validateOutcome, type OutcomeInput } from '../core/outcome.js'
import { EXPLORE_SHARE_HELP } from '../core/route.js'
import type { OutcomeClass } from '../core/types.js'
import { errorMessage, HivebenchError } from '../errors.js'
import { command, positiveInt, scopeOption, shareOption, withTracker, type DataDirOptions } from './common.js'
import { recordOutcome } from './record-outcome.js'
import { workTreeSnapshot } from './work-tree.js'

interface RunOptions extends DataDirOptions {
  taskType: string
  tool?: string
  model?: string
  timeout?: number
  check?: string
  id?: string
  choose: Choice[]
  recordInterrupted?: boolean
  exploreShare?: number
  seed?: string
  scope?: 'local' | 'hive'
}

interface Choice { tool: string, command: string }

/** What ran and how it ended, before classification. */
interface Ended { code: number | null, signal: NodeJS.Signals | null, timedOut: boolean, interrupted: NodeJS.Signals | null, seconds: number }

/** Exit status of `timeout(1)` and of this command when the agent ran out of time. */
export const TIMEOUT_EXIT = 124
/** After --timeout, SIGTERM; after this grace, SIGKILL. */
const KILL_GRACE_MS = 2000

function choice (value: string, previous: Choice[]): Choice[] {
  const eq = value.indexOf('=')
  const tool = value.slice(0, eq).trim()
  const cmd = value.slice(eq + 1).trim()
  if (eq < 0 || tool === '' || cmd === '') throw new InvalidArgumentError('must be NAME=COMMAND, e.g. aider=\'aider --yes-always --message "$PROMPT"\'')
  if (previous.some(c => c.tool === tool)) throw new InvalidArgumentError(`${tool} is given twice`)
  return [...previous, { tool, command: cmd }]
}

export const runCommand = command('run')
  .requiredOption('--task-type <type>', 'task type, e.g. bug_fix')
  .option('--tool <tool>', 'the tool the command runs (with a command after --)')
  .option('--model <model>', 'model (optional)')
  .option('--choose <name=command>', 'a candidate arm: route picks one (exploration included) and runs its command with sh -c (repeatable)', choice, [])
  .option('--timeout <seconds>', 'kill the agent after this many seconds: outcome timeout, exit status 124', positiveInt('--timeout'))
  .option('--check <command>', 'grader run with sh -c after the agent exits 0: exit 0 = pass, else grader_fail')
  .option('--id <id>', 'idempotency key (default: a fresh UUID, so a retried record counts once)')
  .option('--record-interrupted', 'record an agent stopped by Ctrl-C (or SIGTERM) as error (default: not recorded)')
  .option('--explore-share <f>', `with --choose: ${EXPLORE_SHARE_HELP}`, shareOption)
  .option('--seed <s>', 'with --choose: makes the decision reproducible')
  .option('--scope <scope>', 'with --choose: local | hive (default hive)', scopeOption)
  .argument('[command...]', 'the agent command and its arguments, after --')
  .addHelpText('after', `
Outcome: timeout (killed after --timeout), error (non-zero exit or killed by a signal), no_tool_calls
(exit 0 in a git work tree with no file changed), grader_fail (--check failed), else pass.
Exit status: the agent's (124 after --timeout, 128 + N after signal N).`)
  .action(async (argv: string[], o: RunOptions) => {
    const arm = await pickArm(argv, o)
    const id = o.id ?? randomUUID()
    const outcomeOf = (outcome: OutcomeClass, seconds: number): OutcomeInput =>
      ({ task_type: o.taskType, tool: arm.tool, model: arm.model === '' ? undefined : arm.model, outcome, duration_s: Math.max(seconds, 0.001), id })
    // a label the store would refuse must fail now, not after the agent's work
    validateOutcome(outcomeOf('pass', 1), { nowMs: Date.now() })
    const cwd = process.cwd()
    const before = workTreeSnapshot(cwd)
    const ended = await runAgent(arm.spawn, o.timeout)
    const exitCode = ended.timedOut ? TIMEOUT_EXIT : ended.code ?? 128 + (constants.signals[ended.signal ?? 'SIGTERM'] ?? 15)
    process.exitCode = exitCode
    const label = arm.model === '' ? arm.tool : `${arm.tool} / ${arm.model}`
    const { outcome, why } = classify(ended, o, () => before !== null && workTreeSnapshot(cwd) === before)
    const took = `${ended.seconds.toFixed(1)}s`
    if (ended.interrupted !== null && o.recordInterrupted !== true) {
      console.error(`hivebench run: ${label}: interrupted (${ended.interrupted}) after ${took}; not recorded (--record-interrupted records it as error)`)
      return
    }
    const recorded = await recordOutcome(o.dataDir, outcomeOf(outcome, ended.seconds))
    const routed = arm.reason === null ? '' : `; ${arm.reason}`
    console.error(`hivebench run: ${label}: ${outcome} in ${took} (${why}); ${recorded.summary}${routed}`)
  })

interface Arm {
  tool: string
  model: string
  /** null: no routing (the arm was given) */
  reason: string | null
  spawn: () => ChildProcess
}

async function pickArm (argv: string[], o: RunOptions): Promise<Arm> {
  if (o.choose.length > 0) {
    if (argv.length > 0 || o.tool !== undefined) throw new HivebenchError('USAGE', 'give either --choose (route picks the arm) or --tool with a command after --, not both')
    const decision = await withTracker(o, t => t.route(o.taskType, {
      tools: o.choose.map(c => c.tool), model: o.model, scope: o.scope, exploreShare: o.exploreShare, seed: o.seed
    }), { readonly: true })
    const arm = decision.arm
    const chosen = o.choose.find(c => c.tool === arm?.tool)
    if (arm === null || chosen === undefined) throw new HivebenchError('ROUTE', `route picked no candidate: ${decision.reason}`)
    return { tool: arm.tool, model: arm.model, reason: `route: ${decision.reason}`, spawn: () => spawn(chosen.command, { shell: true, stdio: 'inherit' }) }
  }
  if (o.tool === undefined) throw new HivebenchError('USAGE', 'give --tool and the agent command after --, or --choose NAME=COMMAND (repeatable)')
  const [file, ...args] = argv
  if (file === undefined) throw new HivebenchError('USAGE', 'no agent command: put it after --, e.g. hivebench run --task-type bug_fix --tool aider -- aider --message "..."')
  return { tool: o.tool, model: o.model ?? '', reason: null, spawn: () => spawn(file, args, { stdio: 'inherit' }) }
}

/** The classes of the data model, in the order of the rules of `hivebench run --help`. */
function classify (ended: Ended, o: RunOptions, unchanged: () => boolean): { outcome: OutcomeClass, why: string } {
  if (ended.timedOut) return { outcome: 'timeout', why: `killed after --timeout ${o.timeout ?? 0}s` }
  if (ended.signal !== null) return { outcome: 'error', why: `died by ${ended.signal}` }
  if (ended.code !== 0) return { outcome: 'error', why: `exited with status ${ended.code ?? '?'}` }
  if (unchanged()) return { outcome: 'no_tool_calls', why: 'exited 0 but changed no file in the git work tree' }
  if (o.check === undefined) return { outcome: 'pass', why: 'exited 0, no --check' }
  const check = spawnSync(o.check, { shell: true, stdio: 'inherit' })
  return check.status === 0
    ? { outcome: 'pass', why: `check passed: ${o.check}` }
    : { outcome: 'grader_fail', why: `check ${check.status === null ? `died by ${check.signal ?? '?'}` : `exited ${check.status}`}: ${o.check}` }
}

/**
 * Runs the agent with the user's stdio, in this process group (so it keeps the terminal).
 * SIGINT, SIGTERM and SIGHUP are passed on, except SIGINT at an interactive terminal, which
 * already delivered Ctrl-C to the whole foreground group (the agent would get it twice).
 */
async function runAgent (start: () => ChildProcess, timeoutS: number | undefined): Promise<Ended> {
  const t0 = performance.now()
  let child: ChildProcess
  try {
    child = start()
  } catch (err) {
    throw new HivebenchError('SPAWN', `cannot start the agent: ${errorMessage(err)}`)
  }
  let timedOut = false
  let interrupted: NodeJS.Signals | null = null
  const forward = (signal: NodeJS.Signals): void => {
    interrupted ??= signal
    if (!(signal === 'SIGINT' && process.stdin.isTTY)) child.kill(signal)
  }
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const s of signals) process.on(s, forward)
  let killTimer: NodeJS.Timeout | undefined
  const timer = timeoutS === undefined
    ? undefined
    : setTimeout(() => {
      timedOut = true
      killTree(child.pid, 'SIGTERM')
      killTimer = setTimeout(() => { killTree(child.pid, 'SIGKILL') }, KILL_GRACE_MS)
    }, timeoutS * 1000)
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', err => { reject(new HivebenchError('SPAWN', `cannot start the agent: ${err.message}`)) })
      child.once('exit', (code, signal) => { resolve([code, signal]) })
    })
    return { code, signal, timedOut, interrupted, seconds: (performance.now() - t0) / 1000 }
  } finally {
    clearTimeout(timer)
    clearTimeout(killTimer)
    for (const s of signals) process.off(s, forward)
  }
}

/** Signals a process and its descendants (a shell's children too): found with pgrep, deepest first. */
function killTree (pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  const descendants = (p: number): number[] => {
    const r = spawnSync('pgrep', ['-P', String(p)], { encoding: 'utf8' })
    const children = r.status === 0 ? r.stdout.split('\n').filter(Boolean).map(Number) : []
    return children.flatMap(c => [...descendants(c), c])
  }
  for (const p of [...descendants(pid), pid]) {
    try { process.kill(p, signal) } catch { /* already gone */ }
  }
}
