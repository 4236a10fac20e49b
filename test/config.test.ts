import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { killDaemons, startDaemon } from './helpers/daemon.js'
import { tempDir } from './helpers/tmp.js'

afterEach(killDaemons)

const settings = (r: { stdout: string }): Record<string, { value: unknown, source: string }> =>
  Object.fromEntries((JSON.parse(r.stdout).settings as Array<{ key: string, value: unknown, source: string }>).map(s => [s.key, s]))

describe('config: flags > environment > file > defaults', () => {
  it('hivebench.toml in the data dir, HIVEBENCH_<OPTION>, flags; each value with its source', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'hivebench.toml'), 'http-port = 5001\nhive = "from-file"\npublish-delay = 4\nmdns = true\nbootstrap = ["/ip4/127.0.0.1/tcp/1/p2p/12D3KooWMoTbSwgPZYn7nnmCqsXKS2ZcZUSjEy6zZrmQuBbxVjPj"]\n')
    const r = runCli(['config', '--data-dir', dir, '--publish-delay', '2', '--json'], { HIVEBENCH_HIVE: 'from-env', HIVEBENCH_PUBLISH_DELAY: '3' })
    expect(r.code).toBe(0)
    const s = settings(r)
    expect(JSON.parse(r.stdout).file).toBe(join(dir, 'hivebench.toml'))
    expect(s['publish-delay']).toEqual({ key: 'publish-delay', value: 2, source: 'flag', env: 'HIVEBENCH_PUBLISH_DELAY' })
    expect(s.hive).toMatchObject({ value: 'from-env', source: 'env' })
    expect(s['http-port']).toMatchObject({ value: 5001, source: 'file' })
    expect(s.mdns).toMatchObject({ value: true, source: 'file' })
    expect(s.bootstrap.value).toHaveLength(1)
    expect(s['export-interval']).toMatchObject({ value: 300, source: 'default' })
    expect(runCli(['config', '--data-dir', dir]).stdout).toMatch(/^http-port\t5001\tfile$/m)
  })

  it('--config FILE (JSON too); unknown keys and bad values are one line naming the key', () => {
    const dir = tempDir()
    const file = join(dir, 'elsewhere.json')
    writeFileSync(file, JSON.stringify({ 'sync-interval': 7, 'log-level': 'debug' }))
    const s = settings(runCli(['config', '--data-dir', dir, '--config', file, '--json']))
    expect(s['sync-interval']).toMatchObject({ value: 7, source: 'file' })
    expect(s['log-level']).toMatchObject({ value: 'debug', source: 'file' })

    writeFileSync(join(dir, 'hivebench.toml'), 'htp-port = 1\n')
    const unknown = runCli(['start', '--data-dir', dir])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^hivebench: htp-port: unknown key "htp-port" in .*hivebench\.toml \(known: data-dir, http-port/)
    writeFileSync(join(dir, 'hivebench.toml'), 'export-interval = 0\n')
    expect(runCli(['config', '--data-dir', dir]).stderr).toMatch(/^hivebench: export-interval: .*hivebench\.toml: export-interval: --export-interval must be a whole number >= 1/)
    writeFileSync(join(dir, 'hivebench.toml'), '')
    expect(runCli(['config', '--data-dir', dir], { HIVEBENCH_LOG_LEVEL: 'loud' }).stderr).toBe('hivebench: log-level: HIVEBENCH_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent\n')
  })

  it('start runs with the file: the daemon takes its hive from hivebench.toml', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'hivebench.toml'), 'hive = "configured"\n')
    const d = await startDaemon(dir)
    const status = await (await fetch(`${d.url}/v1/status`)).json() as { node: { hive: string } }
    expect(status.node.hive).toBe('configured')
  })
})
