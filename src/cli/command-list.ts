/**
 * Every command's name, arguments and one-line summary: main.ts lists them in `--help` without
 * loading any command's module (a test checks each entry against the loaded command).
 */
export const COMMAND_LIST = [
  { name: 'start', args: '', summary: 'run the node: SQLite store, libp2p gossip and sync, local HTTP API' },
  { name: 'record', args: '', summary: 'record one task outcome' },
  { name: 'run', args: '[command...]', summary: 'run a coding agent (or the arm route picks), classify its outcome, and record it' },
  { name: 'import', args: '<path>', summary: 'import outcomes: CSV, JSON Lines or JSON files, Terminal-Bench run directories, SWE-bench reports' },
  { name: 'best', args: '<task_type>', summary: 'the best tool (and model) for a task type, with the evidence' },
  { name: 'route', args: '<task_type>', summary: 'which tool to use now: the best one, or (at the explore share) an under-sampled one, and why' },
  { name: 'stats', args: '', summary: 'per task type: every arm with pass rate, bounds, latency, cost, outcome mix and origins' },
  { name: 'peers', args: '', summary: 'connected peers (from the running daemon) and known origins' },
  { name: 'publish', args: '', summary: 'ask the running daemon to export and publish its delta now' },
  { name: 'mcp', args: '', summary: 'serve the Model Context Protocol on stdio: best_tool, route, record_outcome, stats, peers' },
  { name: 'id', args: '', summary: "print this node's peer id (its persistent Ed25519 identity)" },
  { name: 'export-delta', args: '', summary: 'write the signed delta (keys changed since the last export) or a snapshot to a file' },
  { name: 'import-delta', args: '<files...>', summary: "verify and merge peers' signed envelope files" }
] as const

export type CommandName = typeof COMMAND_LIST[number]['name']

export function summaryOf (name: CommandName): string {
  return COMMAND_LIST.find(c => c.name === name)?.summary ?? ''
}
