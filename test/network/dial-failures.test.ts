import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { generateHiveKey } from '../../src/network/index.js'
import type { HiveNode } from '../../src/hive/node.js'
import { addressOf, eventually, startNode } from '../helpers/hive.js'
import { tempDir } from '../helpers/tmp.js'

// Real libp2p nodes on 127.0.0.1. A node that cannot reach its bootstrap peers must say so:
// a warning per address and cause (not per retry), and /v1/status's bootstrap list and verdict.

const nodes: HiveNode[] = []
afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })

function capture (): { logger: pino.Logger, warnings: Array<Record<string, unknown>> } {
  const warnings: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'warn' }, { write (line: string) { warnings.push(JSON.parse(line)) } })
  return { logger, warnings }
}

async function node (options: Parameters<typeof startNode>[0] = {}): Promise<HiveNode> {
  const n = await startNode({ bootstrapRedialMs: 300, connectTimeoutMs: 1500, ...options })
  nodes.push(n)
  return n
}

type Status = { connected_peers: number, health: string, bootstrap: Array<{ address: string, last_dial_error: string | null, cause: string | null, connected: boolean }> }
const statusOf = (n: HiveNode): Status => n.status() as unknown as Status

describe('bootstrap dial failures', () => {
  it('refused: one warning with the address and "connection refused", however many redials; status says alone', async () => {
    const gone = await node()
    const address = addressOf(gone)
    await gone.stop()
    const { logger, warnings } = capture()
    const lonely = await node({ bootstrap: [address], logger })
    await eventually(() => statusOf(lonely).bootstrap[0].last_dial_error !== null)
    await new Promise(resolve => setTimeout(resolve, 1500)) // several redials
    const dialWarnings = warnings.filter(w => w.address === address)
    expect(dialWarnings).toHaveLength(1)
    expect(dialWarnings[0]).toMatchObject({ level: 40, cause: 'refused' })
    expect(dialWarnings[0].msg).toContain(`cannot reach bootstrap peer ${address}: connection refused`)
    expect(statusOf(lonely)).toMatchObject({ connected_peers: 0, health: 'alone', bootstrap: [{ address, cause: 'refused', connected: false }] })
  })

  it('different hive: the peer connects but is named as being in another hive', async () => {
    const other = await node({ hive: 'other' })
    const { logger, warnings } = capture()
    const mine = await node({ hive: 'mine', bootstrap: [addressOf(other)], logger })
    await eventually(() => statusOf(mine).bootstrap[0].cause === 'different_hive')
    expect(statusOf(mine).bootstrap[0].last_dial_error).toContain('not subscribed to hive "mine"')
    expect(statusOf(mine).health).toBe('alone')
    expect(warnings.find(w => w.cause === 'different_hive')?.msg).toMatch(/different hive: connected, but the peer is not subscribed to hive "mine"/)
  })

  it('wrong private-network key: named as such after the handshake times out', async () => {
    const keyed = await node({ hiveKeyFile: keyFile() })
    const { logger, warnings } = capture()
    const wrong = await node({ hiveKeyFile: keyFile(), bootstrap: [addressOf(keyed)], logger })
    await eventually(() => statusOf(wrong).bootstrap[0].last_dial_error !== null, 15_000)
    expect(statusOf(wrong).bootstrap[0], JSON.stringify(warnings)).toMatchObject({ cause: 'wrong_hive_key' })
    expect(warnings.some(w => /wrong private-network key/.test(String(w.msg)))).toBe(true)
  }, 30_000)

  it('reached: no error, health ok; a failing second address makes it degraded', async () => {
    const up = await node()
    const gone = await node()
    const goneAddress = addressOf(gone)
    await gone.stop()
    const n = await node({ bootstrap: [addressOf(up), goneAddress] })
    await eventually(() => statusOf(n).health === 'degraded')
    const s = statusOf(n)
    expect(s.connected_peers).toBe(1)
    expect(s.bootstrap).toEqual([
      expect.objectContaining({ address: addressOf(up), last_dial_error: null, connected: true }),
      expect.objectContaining({ address: goneAddress, cause: 'refused', connected: false })
    ])
    const solo = await node({ bootstrap: [addressOf(up)] })
    await eventually(() => statusOf(solo).health === 'ok')
  })
})

function keyFile (): string {
  const file = join(tempDir(), 'swarm.key')
  writeFileSync(file, generateHiveKey())
  return file
}
