import { spawnSync } from 'node:child_process'
import { existsSync, openSync, closeSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const LOGGER = fileURLToPath(new URL('../dist/src/hive/logger.js', import.meta.url))

describe.skipIf(!existsSync('/dev/full'))('the daemon logger on a full disk', () => {
  it('keeps the process running when stdout fails with ENOSPC (pino\'s default destination hangs or throws)', () => {
    const script = `const { createDaemonLogger } = await import(${JSON.stringify(LOGGER)})
      const log = createDaemonLogger()
      for (let i = 0; i < 200; i++) log.error({ i, pad: 'x'.repeat(500) }, 'line')
      await new Promise(r => setTimeout(r, 50))
      log.info('after')
      process.stderr.write('alive')`
    const full = openSync('/dev/full', 'w')
    try {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', full, 'pipe'], timeout: 10_000, encoding: 'utf8' })
      expect(r.stderr).toBe('alive')
      expect(r.status).toBe(0)
    } finally {
      closeSync(full)
    }
  })
})
