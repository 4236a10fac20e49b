import { command } from './common.js'
export const mcpCommand = command('mcp')
