import { afterEach, describe, expect, it } from 'vitest'
import { createDaemon, type Daemon } from '../src/daemon.js'
import { quiet } from './helpers/hive.js'
import { tempDir } from './helpers/tmp.js'

const daemons: Daemon[] = []
afterEach(async () => { while (daemons.length > 0) await daemons.pop()?.stop() })

const outcomes = (tool: string, pass: number, fail: number, daysAgo: number): unknown[] =>
  Array.from({ length: pass + fail }, (_, i) => ({
    task_type: 'bug_fix', tool, outcome: i < pass ? 'pass' : 'grader_fail', duration_s: 30, at: new Date(Date.now() - daysAgo * 86_400_000).toISOString()
  }))

describe('daemon drift check', () => {
  it('exposes arms that regressed against their previous week in /metrics and /v1/status', async () => {
    const daemon = await createDaemon({ dataDir: tempDir(), listen: ['/ip4/127.0.0.1/tcp/0'], exportIntervalS: 3600, syncIntervalS: 3600, logger: quiet, http: { host: '127.0.0.1', port: 0 } })
    daemons.push(daemon)
    await daemon.start()
    const { node } = daemon
    const url = daemon.http.address()?.url as string
    const metric = async (): Promise<string | undefined> => (await (await fetch(`${url}/metrics`)).text()).split('\n').find(l => l.startsWith('hivebench_arm_regressions '))
    // checked at start: nothing to compare yet
    expect(await metric()).toBe('hivebench_arm_regressions 0')
    expect((await (await fetch(`${url}/v1/status`)).json()).node.drift).toMatchObject({ window_days: 7, arms_checked: 0, regressions: [] })

    node.local.tracker.recordBatch([...outcomes('aider', 180, 20, 10), ...outcomes('ruff', 100, 100, 10)])
    node.local.tracker.recordBatch([...outcomes('aider', 90, 110, 1), ...outcomes('ruff', 100, 100, 1)])
    node.checkDrift()
    expect(await metric()).toBe('hivebench_arm_regressions 1')
    const drift = (await (await fetch(`${url}/v1/status`)).json()).node.drift
    expect(drift).toMatchObject({ arms_checked: 2, regressions: [{ task_type: 'bug_fix', tool: 'aider', model: '' }] })
  })
})
