import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterEach, describe, expect, it } from 'vitest'
import { openTracker } from '../src/tracker.js'
import { CLI } from './helpers/cli.js'
import { killDaemons, startDaemon } from './helpers/daemon.js'
import { tempDir } from './helpers/tmp.js'

afterEach(killDaemons)

interface ToolAnswer { isError?: boolean, content: Array<{ type: string, text: string }>, structuredContent?: Record<string, unknown> }

/** `hivebench mcp` as an MCP client launches it: a child process spoken to over stdio. */
async function connect (dataDir: string): Promise<{ call: (name: string, args?: Record<string, unknown>) => Promise<ToolAnswer>, client: Client }> {
  const client = new Client({ name: 'hivebench-test', version: '1.0.0' })
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--data-dir', dataDir], stderr: 'pipe' }))
  return { client, call: async (name, args = {}) => await client.callTool({ name, arguments: args }) as ToolAnswer }
}

function count (dataDir: string): number {
  const t = openTracker({ dataDir })
  try {
    return t.stats({ scope: 'local', minSamples: 1 }).task_types.flatMap(x => x.ranking).reduce((n, a) => n + a.n, 0)
  } finally {
    t.close()
  }
}

describe('hivebench mcp', () => {
  it('lists its tools and answers each with a paragraph and the shared JSON shape; bad input is a tool error naming the field', async () => {
    const dataDir = tempDir()
    const { client, call } = await connect(dataDir)
    try {
      const tools = (await client.listTools()).tools
      expect(tools.map(t => t.name).sort()).toEqual(['best_tool', 'peers', 'record_outcome', 'route', 'stats'])
      const record = tools.find(t => t.name === 'record_outcome')
      expect(record?.inputSchema).toMatchObject({ type: 'object', required: ['task_type', 'tool'], additionalProperties: false })

      for (let i = 0; i < 6; i++) {
        const r = await call('record_outcome', { task_type: 'bug_fix', tool: 'aider', model: 'gpt-5', outcome: i < 5 ? 'pass' : 'grader_fail', duration_s: 20 + i, id: `run-${i}` })
        expect(r.isError).toBeFalsy()
        expect(r.content[0].text).toMatch(/^Recorded bug_fix \/ aider \/ gpt-5: (pass|grader_fail) \(recorded embedded \(no daemon running\)\)\.$/)
        expect(r.structuredContent).toEqual({ recorded: 1, duplicates: 0, via: 'embedded' })
      }
      const again = await call('record_outcome', { task_type: 'bug_fix', tool: 'aider', model: 'gpt-5', outcome: 'pass', id: 'run-0' })
      expect(again.structuredContent).toMatchObject({ recorded: 0, duplicates: 1 })
      expect(again.content[0].text).toContain('already recorded')

      const best = await call('best_tool', { task_type: 'bug_fix', scope: 'local' })
      expect(best.structuredContent).toMatchObject({ task_type: 'bug_fix', scope: 'local', best: { tool: 'aider', model: 'gpt-5', n: 6, pass: 5 } })
      expect(JSON.parse(best.content[1].text)).toEqual(best.structuredContent)
      expect(best.content[0].text).toMatch(/^For bug_fix \(local scope, last 30 days\) the best arm is aider \/ gpt-5: 5 of 6 passed \(83\.3%, 95% lower bound 43\.6%\), median 2\d\.\d s, from 1 origin\. It is the only benchmarked arm\./)

      const route = await call('route', { task_type: 'bug_fix', explore_share: 0, tools: ['aider', 'codex'] })
      expect(route.structuredContent).toMatchObject({ mode: 'exploit', arm: { tool: 'aider' } })
      expect(route.content[0].text).toMatch(/^Use aider \/ gpt-5 for bug_fix now \(exploit\)\. exploit: /)

      const stats = await call('stats', {})
      expect(stats.structuredContent).toMatchObject({ scope: 'hive', task_types: [{ task_type: 'bug_fix' }] })
      expect(stats.content[0].text).toBe('1 task type(s) in the last 30 days (hive scope). bug_fix: aider / gpt-5 leads, 5/6 passed.')

      const peers = await call('peers')
      expect(peers.structuredContent).toMatchObject({ daemon: null, peers: [], origins: [] })
      expect(peers.content[0].text).toContain('No daemon runs for this data dir')

      // bad input: a tool error naming the field, nothing stored
      const bad = [
        [{ task_type: 'bug_fix', tool: 'aider', outcome: 'pass', duration_s: -3 }, /duration_s: must be > 0/],
        [{ task_type: 'bug_fix', tool: 'aider', outcome: 'passed' }, /outcome/],
        [{ task_typ: 'bug_fix', tool: 'aider', outcome: 'pass' }, /task_typ/],
        [{ task_type: ' ', tool: 'aider', outcome: 'pass' }, /task_type: required, must not be empty/],
        [{ task_type: 'bug_fix', tool: 'aider' }, /outcome: required/]
      ] as const
      for (const [args, field] of bad) {
        const r = await call('record_outcome', args)
        expect(r.isError, JSON.stringify(args)).toBe(true)
        expect(r.content[0].text).toMatch(field)
      }
      expect((await call('best_tool', { task_type: 'bug_fix', window_days: 9999 })).content[0].text).toMatch(/window_days/)
    } finally {
      await client.close()
    }
    expect(count(dataDir)).toBe(6)
  }, 60_000)

  it('records through the running daemon of the data dir, and shows its peers', async () => {
    const dataDir = tempDir()
    const daemon = await startDaemon(dataDir)
    const { client, call } = await connect(dataDir)
    try {
      const r = await call('record_outcome', { task_type: 'docs', tool: 'aider', success: true })
      expect(r.structuredContent).toEqual({ recorded: 1, duplicates: 0, via: 'daemon' })
      expect(await (await fetch(`${daemon.url}/metrics`)).text()).toMatch(/^hivebench_outcomes_recorded_total 1$/m)
      const peers = await call('peers')
      expect(peers.structuredContent).toMatchObject({ daemon: daemon.url, peers: [] })
      expect(peers.content[0].text).toContain(`The daemon at ${daemon.url} has 0 connected peer(s)`)
      expect((await call('best_tool', { task_type: 'docs', min_samples: 1 })).structuredContent).toMatchObject({ best: { tool: 'aider', n: 1 } })
    } finally {
      await client.close()
    }
  }, 60_000)
})
