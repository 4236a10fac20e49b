import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { openLocalNode, type LocalNode } from '../src/hive/local-node.js'
import { databasePath } from '../src/store/data-dir.js'
import { tempDir } from './helpers/tmp.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const open: LocalNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

async function node (dataDir: string, nowMs = NOW): Promise<LocalNode> {
  const n = await openLocalNode({ dataDir, now: () => nowMs })
  open.push(n)
  return n
}

describe('a database lost while the identity is kept', () => {
  it('continues the origin\'s sequence from a new epoch: peers accept its next exports instead of ignoring them (R22)', async () => {
    const dir = tempDir()
    const peer = await node(tempDir())
    const first = await node(dir)
    expect(first.seqEpoch).toBeNull() // a new node: a new identity
    for (let i = 0; i < 30; i++) {
      first.tracker.record({ task_type: 'x', tool: 'y', success: true })
      for (const e of first.sharing.export(i % 12 === 0 ? 'snapshot' : 'delta')?.envelopes ?? []) expect(peer.receiver.receive(e).verdict).toBe('accepted')
    }
    first.close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(databasePath(dir) + suffix, { force: true })

    const again = await node(dir, NOW + 60_000)
    expect(again.identity.peerId).toBe(first.identity.peerId)
    expect(again.seqEpoch).toBe(NOW + 60_000)
    again.tracker.record({ task_type: 'x', tool: 'new', success: true })
    const verdicts = [...again.sharing.export('snapshot')?.envelopes ?? [], ...again.sharing.export('delta')?.envelopes ?? []]
      .map(e => peer.receiver.receive(e).verdict)
    expect(verdicts).toEqual(['accepted'])
    expect(peer.tracker.stats({ scope: 'hive', minSamples: 1 }).task_types[0].ranking.map(r => r.tool).sort()).toEqual(['new', 'y'])
    // a restart of the same database is no new epoch
    again.close()
    expect((await node(dir, NOW + 120_000)).seqEpoch).toBeNull()
  })
})
