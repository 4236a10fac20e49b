import { Command, InvalidArgumentError } from 'commander'
import type { LocalNode } from '../hive/local-node.js'
import type { StoreTracker } from '../tracker.js'
import { examplesHelp } from './command-examples.js'
import { summaryOf, type CommandName } from './command-list.js'

export interface DataDirOptions {
  dataDir?: string
}

export interface JsonOption {
  json?: boolean
}

/**
 * A command named in the command list: its summary and its `Examples:` help section come from
 * command-list.ts and command-examples.ts; a subcommand (of `baseline`) gives its own summary.
 */
export function namedCommand (name: CommandName | string, description: string = summaryOf(name)): Command {
  const cmd = new Command(name).description(description)
  const examples = examplesHelp(name)
  return examples === '' ? cmd : cmd.addHelpText('after', examples)
}

/** Every command that opens a data dir takes --data-dir (README.md, "CLI reference"). */
export function command (name: CommandName | string, description: string = summaryOf(name)): Command {
  return namedCommand(name, description)
    .option('--data-dir <dir>', 'data directory (default: $HIVEBENCH_DATA_DIR or ~/.hivebench)')
}

/** Query commands also take --json. */
export function queryCommand (name: CommandName): Command {
  return command(name).option('--json', 'machine-readable JSON output')
}

export function positiveInt (name: string): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1`)
    return n
  }
}

export function nonNegativeInt (name: string): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`)
    return n
  }
}

/** A TCP port; 0 lets the OS pick a free one. */
export function portOption (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535')
  return n
}

export function shareOption (value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1')
  return n
}

export function scopeOption (value: string): 'local' | 'hive' {
  if (value !== 'local' && value !== 'hive') throw new InvalidArgumentError('must be local or hive')
  return value
}

/** Numbers given as text: converted when they parse, else passed on so the validator names the rule. */
export function numberOrText (value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  return value.trim() !== '' && Number.isFinite(n) ? n : value
}

/**
 * Opens the tracker on the command's data dir, runs `fn`, and always closes it. Query commands
 * pass `readonly`: they then never wait for (or block) the daemon's writes.
 */
export async function withTracker<T> (options: DataDirOptions, fn: (tracker: StoreTracker) => T | Promise<T>, open: { readonly?: boolean } = {}): Promise<T> {
  // every surface that ranks applies the data dir's origin policy (policy-tracker.ts)
  const { openPolicyTracker } = await import('../hive/policy-tracker.js')
  const { tracker } = openPolicyTracker({ dataDir: options.dataDir, readonly: open.readonly })
  try {
    return await fn(tracker)
  } finally {
    tracker.close()
  }
}

/**
 * Like withTracker, with this node's identity and the sharing layer (export / import of
 * envelopes). Imported on use: only the commands that sign or verify load the crypto stack.
 */
export async function withLocalNode<T> (options: DataDirOptions & { now?: () => number, workBits?: number }, fn: (node: LocalNode) => T | Promise<T>): Promise<T> {
  const { openLocalNode } = await import('../hive/local-node.js')
  const node = await openLocalNode({ dataDir: options.dataDir, now: options.now, workBits: options.workBits })
  try {
    return await fn(node)
  } finally {
    node.close()
  }
}

export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}
