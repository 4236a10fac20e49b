import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { openTracker, type StoreTracker } from '../tracker.js'
import { command, type DataDirOptions } from './common.js'
import { createMcpServer } from './mcp-server.js'
import { packageVersion } from './version.js'

export const mcpCommand = command('mcp')
  .addHelpText('after', `
Add it to Claude Code:   claude mcp add hivebench -- hivebench mcp
Any MCP client:          { "mcpServers": { "hivebench": { "command": "hivebench", "args": ["mcp"] } } }
stdout carries the protocol; diagnostics go to stderr.`)
  .action(async (o: DataDirOptions) => {
    const open: { tracker: StoreTracker | null } = { tracker: null }
    const server = createMcpServer({ dataDir: o.dataDir, version: packageVersion(), tracker: () => (open.tracker ??= openTracker({ dataDir: o.dataDir })) })
    const transport = new StdioServerTransport()
    const closed = new Promise<void>(resolve => { transport.onclose = resolve })
    await server.connect(transport)
    // the client ends the session by closing stdin (or by a signal)
    process.stdin.once('end', () => { void server.close() })
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { void server.close() })
    await closed
    open.tracker?.close()
  })
