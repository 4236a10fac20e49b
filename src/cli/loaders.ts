import type { Command } from 'commander'
import type { CommandName } from './command-list.js'

/**
 * Each command's module, loaded only when it runs (see main.ts): a hook that calls `hivebench
 * record` after every agent task must not pay for libp2p and fastify.
 */
export const LOADERS: Record<CommandName, () => Promise<Command>> = {
  start: async () => (await import('./start.js')).startCommand,
  record: async () => (await import('./record.js')).recordCommand,
  run: async () => (await import('./run.js')).runCommand,
  import: async () => (await import('./import.js')).importCommand,
  best: async () => (await import('./best.js')).bestCommand,
  route: async () => (await import('./route.js')).routeCommand,
  stats: async () => (await import('./stats.js')).statsCommand,
  peers: async () => (await import('./peers.js')).peersCommand,
  publish: async () => (await import('./publish.js')).publishCommand,
  mcp: async () => (await import('./mcp.js')).mcpCommand,
  id: async () => (await import('./id.js')).idCommand,
  'export-delta': async () => (await import('./export-delta.js')).exportDeltaCommand,
  'import-delta': async () => (await import('./import-delta.js')).importDeltaCommand,
  baseline: async () => (await import('./baseline.js')).baselineCommand,
  gate: async () => (await import('./gate.js')).gateCommand,
  trend: async () => (await import('./trend.js')).trendCommand,
  status: async () => (await import('./status.js')).statusCommand,
  config: async () => (await import('./config.js')).configCommand,
  completion: async () => (await import('./completion.js')).completionCommand,
  forget: async () => (await import('./forget.js')).forgetCommand
}
