/**
 * Every command's name, usage (what `--help` shows after the name) and one-line summary: main.ts
 * lists them in `--help` without loading any command's module (a test checks each entry against
 * the loaded command).
 */
export const COMMAND_LIST = [
  { name: 'start', usage: '[options]', summary: 'run the node: SQLite store, libp2p gossip and sync, local HTTP API' },
  { name: 'record', usage: '[options]', summary: 'record one task outcome' },
  { name: 'run', usage: '[options] [command...]', summary: 'run a coding agent (or the arm route picks), classify its outcome, and record it' },
  { name: 'import', usage: '[options] <path>', summary: 'import outcomes: CSV, JSON Lines or JSON files, Terminal-Bench run directories, SWE-bench reports' },
  { name: 'best', usage: '[options] <task_type>', summary: 'the best tool (and model) for a task type, with the evidence' },
  { name: 'route', usage: '[options] <task_type>', summary: 'which tool to use now: the best estimate, or an arm that could still be best (Thompson draws), and why' },
  { name: 'stats', usage: '[options]', summary: 'per task type: every arm with pass rate, bounds, latency, cost, outcome mix and origins' },
  { name: 'status', usage: '[options]', summary: 'health of the running daemon: ok, degraded or alone (exit 0, 3 or 4), peers and bootstrap dials' },
  { name: 'config', usage: '[options]', summary: 'the settings `start` would run with, and where each comes from (flag, env, file, default)' },
  { name: 'completion', usage: '<shell>', summary: 'print a shell completion script (bash, zsh or fish)' },
  { name: 'peers', usage: '[options]', summary: 'connected peers (from the running daemon) and known origins' },
  { name: 'publish', usage: '[options]', summary: 'ask the running daemon to export and publish its delta now' },
  { name: 'mcp', usage: '[options]', summary: 'serve the Model Context Protocol on stdio: best_tool, route, record_outcome, stats, peers' },
  { name: 'id', usage: '[options]', summary: "print this node's peer id (its persistent Ed25519 identity); --mint re-keys one that lacks the hive's identity work" },
  { name: 'export-delta', usage: '[options]', summary: 'write the signed delta (keys changed since the last export) or a snapshot to a file' },
  { name: 'import-delta', usage: '[options] <files...>', summary: "verify and merge peers' signed envelope files" },
  { name: 'baseline', usage: '', summary: 'named snapshots of per-arm counters to gate upgrades against: capture | list | show | delete' },
  { name: 'gate', usage: '[options]', summary: 'is the new tool, model or prompt worse? exit 0 pass, 4 regression, 3 insufficient evidence, 1 bad input' },
  { name: 'forget', usage: '[options] <peer id>', summary: "purge an origin's counters and envelopes from this data dir and deny it from now on" },
  { name: 'trend', usage: '[options] <task_type>', summary: 'per arm: the daily pass rate and p50 of a task type, and whether it is improving, declining or stable' }
] as const

export type CommandName = typeof COMMAND_LIST[number]['name']

export function summaryOf (name: string): string {
  return COMMAND_LIST.find(c => c.name === name)?.summary ?? ''
}
