import { afterEach, describe, expect, it } from 'vitest'
import type { HiveNode } from '../src/hive/node.js'
import type { HiveNetwork, HiveNetworkOptions } from '../src/network/index.js'
import { addressOf, eventually, hiveView, startNode } from './helpers/hive.js'
import { tempDir } from './helpers/tmp.js'

const running: HiveNode[] = []
async function node (options: Parameters<typeof startNode>[0] = {}): Promise<HiveNode> {
  const n = await startNode(options)
  running.push(n)
  return n
}
afterEach(async () => { await Promise.all(running.splice(0).map(async n => { await n.stop() })) })

const record = (n: HiveNode, tool: string, pass: number, fail: number): void => {
  n.local.tracker.recordBatch([
    ...Array.from({ length: pass }, () => ({ task_type: 'bug_fix', tool, outcome: 'pass', duration_s: 30 })),
    ...Array.from({ length: fail }, () => ({ task_type: 'bug_fix', tool, outcome: 'grader_fail', duration_s: 60 }))
  ])
}
/** A bare transport (no store, no node) bootstrapped to `honest`: by default it ignores gossip and answers syncs with nothing. */
async function barePeer (honest: HiveNode, options: Partial<HiveNetworkOptions> = {}): Promise<HiveNetwork> {
  const { generateKeyPair } = await import('@libp2p/crypto/keys')
  const { createHiveNetwork } = await import('../src/network/index.js')
  const { quiet } = await import('./helpers/hive.js')
  return await createHiveNetwork({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [addressOf(honest)],
    hive: 'default',
    mdns: false,
    maxMessageBytes: 256 * 1024,
    validate: () => 'ignore',
    onMessage: () => {},
    syncHandler: () => [],
    logger: quiet,
    ...options
  })
}

const stats = (n: HiveNode) => n.local.tracker.stats({ scope: 'hive', minSamples: 1 })

describe('hive of daemons on 127.0.0.1', () => {
  it('three nodes converge by gossip; a fourth started later catches up by sync alone', async () => {
    const a = await node()
    const b = await node({ bootstrap: [addressOf(a)] })
    const c = await node({ bootstrap: [addressOf(a)] })
    // publish once the gossip mesh has formed (a hub with two spokes)
    await eventually(() => a.network.meshPeers().length === 2 && b.network.meshPeers().length === 1 && c.network.meshPeers().length === 1)
    record(a, 'aider', 20, 5)
    record(b, 'ruff', 3, 12)
    record(c, 'codex', 9, 1)
    await Promise.all([a, b, c].map(async n => await n.exporter.exportNow()))
    await eventually(() => hiveView(a) === hiveView(b) && hiveView(b) === hiveView(c) && stats(a).task_types[0]?.ranking.length === 3)
    expect(stats(a)).toEqual(stats(c))
    expect(stats(b).task_types[0].ranking.map(r => [r.tool, r.n, r.origins])).toEqual([['aider', 25, 1], ['codex', 10, 1], ['ruff', 15, 1]])

    // nobody exports again: d learns everything from the sync on connect
    const d = await node({ bootstrap: [addressOf(b)] })
    await eventually(() => hiveView(d) === hiveView(a))
    expect(stats(d)).toEqual(stats(a))
    expect(d.verdictCounts().accepted).toBeGreaterThan(0)
  })

  it('a restarted node keeps its peer id and is not double-counted', async () => {
    const dataDir = tempDir()
    const a = await node()
    let b = await node({ dataDir, bootstrap: [addressOf(a)] })
    const id = b.network.peerId
    record(b, 'aider', 4, 1)
    await b.stop()
    b = await node({ dataDir, bootstrap: [addressOf(a)] })
    expect(b.network.peerId).toBe(id)
    record(b, 'aider', 1, 0)
    await b.exporter.exportNow()
    await eventually(() => stats(a).task_types[0]?.ranking[0]?.n === 6)
    expect(stats(a).task_types[0].ranking[0]).toMatchObject({ n: 6, pass: 5, origins: 1 })
    // delivering the same envelopes again (a replayed sync) changes nothing
    const before = hiveView(a)
    const report = await a.syncWith(b.network.peerId)
    expect(report.accepted).toBe(0)
    expect(hiveView(a)).toBe(before)
  })

  it('two hives with different names do not mix, by gossip or by sync', async () => {
    const a = await node({ hive: 'red' })
    const b = await node({ hive: 'blue', bootstrap: [addressOf(a)] })
    await eventually(() => a.network.connectedPeers().length === 1)
    record(b, 'aider', 5, 0)
    await b.exporter.exportNow()
    expect((await a.syncWith(b.network.peerId)).received).toBe(0)
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(stats(a).task_types).toEqual([])
  })

  it('shutdown right after recording loses nothing: the final export reaches a later peer', async () => {
    const dataDir = tempDir()
    const a = await node({ dataDir })
    record(a, 'aider', 7, 3)
    await a.stop()
    running.splice(running.indexOf(a), 1)
    const again = await node({ dataDir })
    const b = await node({ bootstrap: [addressOf(again)] })
    await eventually(() => stats(b).task_types[0]?.ranking[0]?.n === 10)
  })
})

describe('hostile and foreign peers', () => {
  it('rejects a peer that publishes invalid envelopes: rule named, nothing merged, its score goes negative', async () => {
    const honest = await node()
    const bad = await barePeer(honest, { heartbeatIntervalMs: 200, validate: () => 'accept' })
    await bad.start()
    try {
      await eventually(() => bad.meshPeers().length === 1 && honest.network.meshPeers().includes(bad.peerId))
      // garbage, then a genuine envelope of someone else with a flipped byte (signature no longer valid)
      const victim = await node()
      record(victim, 'aider', 3, 0)
      const genuine = victim.local.sharing.export('delta')!.envelopes[0]
      const forged = new Uint8Array(genuine)
      forged[forged.length - 70] ^= 1
      for (const message of [new TextEncoder().encode('not an envelope'), forged]) await bad.publish(message)
      await eventually(() => (honest.verdictCounts()['rejected:R2'] ?? 0) >= 1 && (honest.verdictCounts()['rejected:R8'] ?? 0) >= 1)
      expect(honest.local.tracker.store.exchange.hiveCounters()).toEqual([])
      await eventually(() => honest.network.peerScore(bad.peerId) < 0, 5_000)
      // and the rejections are in the Prometheus metrics, by rule
      const metrics = await honest.metrics.registry.getSingleMetricAsString('hivebench_envelopes_total')
      expect(metrics).toContain('direction="received",verdict="rejected",rule="R8"')
    } finally {
      await bad.stop()
    }
  })

  it('stops reading a sync answer at its first REJECTed envelope', async () => {
    const honest = await node()
    const junk = new Uint8Array(256 * 1024).fill(0xc1) // never valid msgpack: R2 REJECT each
    let pulled = 0
    const bad = await barePeer(honest, { syncHandler: function * () { for (let i = 0; i < 1000; i++) { pulled++; yield junk } } })
    await bad.start()
    try {
      await eventually(() => honest.network.connectedPeers().includes(bad.peerId))
      await expect(honest.syncWith(bad.peerId)).rejects.toMatchObject({ code: 'SYNC_REJECTED' })
      // per sync (the one on connect and ours): one frame judged, a 2 MiB window (8 frames) in
      // flight; before, each sync read on to its 64 MiB cap (256 frames)
      expect(honest.verdictCounts()['rejected:R2']).toBeGreaterThanOrEqual(1)
      expect(pulled).toBeLessThan(30)
    } finally {
      await bad.stop()
    }
  })

  it('reads on past envelopes only its own setting refuses (R24 identity work): an honest peer may serve older origins', async () => {
    const honest = await node({ workBits: 8 })
    const { generateKeyPair } = await import('@libp2p/crypto/keys')
    const { identityWork } = await import('../src/protocol/identity-work.js')
    const { encodeEnvelope } = await import('../src/protocol/index.js')
    const { emptyCounters } = await import('../src/core/types.js')
    const { dayOf } = await import('../src/core/time.js')
    const snapshotOf = async (worked: boolean): Promise<Uint8Array> => {
      for (;;) {
        const key = await generateKeyPair('Ed25519')
        if ((identityWork(key.publicKey.raw) >= 8) !== worked) continue
        const entry = { ...emptyCounters(), taskType: 'bug_fix', tool: worked ? 'worked' : 'old', model: '', day: dayOf(Date.now()), n: 3, pass: 3 }
        return encodeEnvelope({ seq: 1, kind: 'snapshot', createdAtMs: Date.now(), entries: [entry] }, key as never)
      }
    }
    const answer = [await snapshotOf(false), await snapshotOf(false), await snapshotOf(true)]
    const peer = await barePeer(honest, { syncHandler: function * () { yield * answer } })
    await peer.start()
    try {
      await eventually(() => honest.network.connectedPeers().includes(peer.peerId))
      const report = await honest.syncWith(peer.peerId)
      expect(honest.verdictCounts()['rejected:R24']).toBeGreaterThanOrEqual(2)
      expect(report.received).toBe(3)
      await eventually(() => stats(honest).task_types[0]?.ranking.some(a => a.tool === 'worked') === true)
    } finally {
      await peer.stop()
    }
  })

  it('nodes with different private-network keys never connect; the same key shares', async () => {
    const { generateHiveKey } = await import('../src/network/index.js')
    const { writeFileSync } = await import('node:fs')
    const keyFile = (name: string): string => {
      const file = `${tempDir()}/${name}.key`
      writeFileSync(file, generateHiveKey(), { mode: 0o600 })
      return file
    }
    const shared = keyFile('shared')
    const a = await node({ hiveKeyFile: shared })
    const outsider = await node({ hiveKeyFile: keyFile('other'), bootstrap: [addressOf(a)] })
    const member = await node({ hiveKeyFile: shared, bootstrap: [addressOf(a)] })
    await eventually(() => member.network.meshPeers().length === 1)
    record(member, 'aider', 5, 0)
    record(outsider, 'evil', 50, 0)
    await Promise.all([member, outsider].map(async n => await n.exporter.exportNow()))
    await eventually(() => stats(a).task_types[0]?.ranking.length === 1)
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(a.network.connectedPeers()).toEqual([member.network.peerId])
    expect(stats(a).task_types[0].ranking.map(r => r.tool)).toEqual(['aider'])
  })
})
