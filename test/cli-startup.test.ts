import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Help, type Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { outcomeCheckSource, OUTCOME_CHECK_FILE } from '../scripts/gen-outcome-check.js'
import { COMMAND_LIST } from '../src/cli/command-list.js'
import { CLI, runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TRACE = fileURLToPath(new URL('./fixtures/trace-loads.mjs', import.meta.url))

/** The packages a command line loaded (node_modules/<package>), from the trace-loads preload. */
function packagesLoaded (args: string[]): Set<string> {
  const r = spawnSync(process.execPath, ['--import', TRACE, CLI, ...args], { encoding: 'utf8', timeout: 60_000 })
  expect(r.status, r.stderr).toBe(0)
  const files = r.stderr.slice(r.stderr.indexOf('loaded modules:\n')).split('\n').slice(1).filter(Boolean)
  expect(files.some(f => f.endsWith('/cli/main.js'))).toBe(true) // the trace works
  return new Set(files.flatMap(f => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)
    return m === null ? [] : [m[1]]
  }))
}

describe('CLI start-up', () => {
  it('loads only what a command needs: no libp2p, fastify or MCP SDK outside start and mcp; no msgpackr for reads', () => {
    const dataDir = tempDir()
    const heavy = ['libp2p', '@libp2p/gossipsub', 'fastify', 'pino', '@modelcontextprotocol/sdk', 'zod', 'ajv', 'cli-table3']
    const record = packagesLoaded(['record', '--data-dir', dataDir, '--task-type', 'a', '--tool', 'b', '--success', 'true'])
    expect(record.has('better-sqlite3')).toBe(true)
    expect(record.has('msgpackr')).toBe(true) // recording writes a raw batch
    for (const args of [['--help'], ['--version'], ['best', 'a', '--data-dir', dataDir], ['stats', '--data-dir', dataDir, '--task-type', 'a'], ['route', 'a', '--data-dir', dataDir]]) {
      const loaded = packagesLoaded(args)
      for (const p of [...heavy, 'msgpackr']) expect(loaded.has(p), `${args.join(' ')} loaded ${p}`).toBe(false)
      if (args[0].startsWith('-')) expect(loaded.has('better-sqlite3'), `${args.join(' ')} opened the store`).toBe(false)
    }
    for (const p of heavy) expect(record.has(p), `record loaded ${p}`).toBe(false)
    // the detector does see a heavy package where one loads (libp2p itself waits for the first createHiveNetwork)
    expect(packagesLoaded(['start', '--help']).has('fastify')).toBe(true)
  }, 60_000)

  it('--help lists every command as its module declares it; help X and X --help load X; --version; a typo gets a suggestion', async () => {
    const help = runCli(['--help'])
    expect(help.code).toBe(0)
    const loaders: Record<string, () => Promise<Command>> = {
      start: async () => (await import('../src/cli/start.js')).startCommand,
      record: async () => (await import('../src/cli/record.js')).recordCommand,
      run: async () => (await import('../src/cli/run.js')).runCommand,
      import: async () => (await import('../src/cli/import.js')).importCommand,
      best: async () => (await import('../src/cli/best.js')).bestCommand,
      route: async () => (await import('../src/cli/route.js')).routeCommand,
      stats: async () => (await import('../src/cli/stats.js')).statsCommand,
      peers: async () => (await import('../src/cli/peers.js')).peersCommand,
      publish: async () => (await import('../src/cli/publish.js')).publishCommand,
      mcp: async () => (await import('../src/cli/mcp.js')).mcpCommand,
      id: async () => (await import('../src/cli/id.js')).idCommand,
      'export-delta': async () => (await import('../src/cli/export-delta.js')).exportDeltaCommand,
      'import-delta': async () => (await import('../src/cli/import-delta.js')).importDeltaCommand,
      baseline: async () => (await import('../src/cli/baseline.js')).baselineCommand,
      gate: async () => (await import('../src/cli/gate.js')).gateCommand,
      trend: async () => (await import('../src/cli/trend.js')).trendCommand,
      forget: async () => (await import('../src/cli/forget.js')).forgetCommand,
      status: async () => (await import('../src/cli/status.js')).statusCommand,
      config: async () => (await import('../src/cli/config.js')).configCommand,
      completion: async () => (await import('../src/cli/completion.js')).completionCommand
    }
    expect(Object.keys(loaders).sort()).toEqual(COMMAND_LIST.map(c => c.name).sort())
    for (const spec of COMMAND_LIST) {
      const real = await loaders[spec.name]()
      expect(real.name()).toBe(spec.name)
      expect(real.description()).toBe(spec.summary)
      const term = new Help().subcommandTerm(real)
      expect(help.stdout).toContain(term)
      expect(term).toBe(spec.usage === '' ? spec.name : `${spec.name} ${spec.usage}`)
    }
    const bestHelp = runCli(['help', 'best'])
    expect(bestHelp.stdout).toContain('Usage: hivebench best [options] <task_type>')
    expect(bestHelp.stdout).toContain('--min-samples <n>')
    expect(runCli(['best', '--help']).stdout).toBe(bestHelp.stdout)
    const version = runCli(['--version'])
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version)
    const typo = runCli(['bset', 'x'])
    expect(typo.code).toBe(1)
    expect(typo.stderr).toContain("unknown command 'bset'")
    expect(typo.stderr).toContain('Did you mean best?')
  }, 60_000)

  it('the outcome check compiled ahead of time is the schema\'s current compilation (npm run gen:validator)', () => {
    expect(readFileSync(`${ROOT}/${OUTCOME_CHECK_FILE}`, 'utf8')).toBe(outcomeCheckSource())
  })
})
