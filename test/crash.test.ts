import { writeFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { decodePayload, decodeEnvelope, MAX_ENVELOPE_BYTES, MAX_ENTRIES } from '../src/protocol/index.js'
import { checkEntries } from '../src/protocol/entries.js'
import { keyString } from '../src/core/counters.js'
import { openTracker } from '../src/tracker.js'
import { runCli } from './helpers/cli.js'
import { killDaemons, startDaemon } from './helpers/daemon.js'
import { tempDir } from './helpers/tmp.js'

afterEach(killDaemons)

const CYCLES = 20

/** Records single outcomes over HTTP as fast as one client can, with some exports, until the daemon dies. */
async function hammer (url: string, prefix: string, acknowledged: Set<string>): Promise<void> {
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`
    try {
      if (i % 25 === 0) await fetch(`${url}/v1/export`, { method: 'POST' })
      const res = await fetch(`${url}/v1/outcomes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, task_type: `t${i % 3}`, tool: `x${i % 4}`, outcome: i % 5 === 0 ? 'timeout' : 'pass', duration_s: 1 + (i % 17), cost_usd: 0.001 * (i % 7) })
      })
      if (res.status === 201) acknowledged.add(id)
    } catch {
      return // the daemon is gone
    }
  }
}

describe('crash safety', () => {
  it(`kill -9 at ${CYCLES} random moments loses no acknowledged outcome, counts none twice, and keeps export state consistent`, async () => {
    const dataDir = tempDir()
    const acknowledged = new Set<string>()
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const daemon = await startDaemon(dataDir)
      const before = acknowledged.size
      let hammering = true
      const load = hammer(daemon.url, `c${cycle}`, acknowledged).finally(() => { hammering = false })
      // kill at a random moment after this cycle's first acknowledgements, however slow the machine
      // is: a fixed window from start-up acknowledged almost nothing under load
      while (hammering && acknowledged.size - before < 6) await new Promise(resolve => setTimeout(resolve, 5))
      await new Promise(resolve => setTimeout(resolve, Math.random() * 250))
      daemon.child.kill('SIGKILL')
      await daemon.exited
      await load
    }
    expect(acknowledged.size).toBeGreaterThan(CYCLES * 5)

    const tracker = openTracker({ dataDir, verify: true })
    try {
      const db = tracker.store.db
      // every acknowledged outcome is there exactly once
      const ids = new Map<string, number>()
      for (const o of tracker.store.rawOutcomes()) if (o.id !== null) ids.set(o.id, (ids.get(o.id) ?? 0) + 1)
      for (const id of acknowledged) expect(ids.get(id)).toBe(1)
      // counters equal a recomputation from the raw rows
      expect(tracker.store.localCounters()).toEqual(tracker.store.recomputeLocalCounters())
      // export state: own envelopes have distinct, gap-free seqs from the newest snapshot on, and every
      // local key either equals what was last published for it or is still marked as changed
      const own = db.prepare('SELECT seq, bytes FROM envelopes WHERE origin = 0 ORDER BY seq').all() as Array<{ seq: number, bytes: Buffer }>
      own.forEach((e, i) => { expect(e.seq).toBe(own[0].seq + i) })
      const lastSeq = (db.prepare('SELECT last_seq FROM origins WHERE id = 0').get() as { last_seq: number }).last_seq
      expect(own[own.length - 1].seq).toBe(lastSeq)
      const published = new Map<string, number>()
      for (const e of own) {
        const env = decodeEnvelope(new Uint8Array(e.bytes), { maxBytes: MAX_ENVELOPE_BYTES, maxEntries: MAX_ENTRIES })
        for (const entry of checkEntries(decodePayload(env.payload, { maxBytes: MAX_ENVELOPE_BYTES, maxEntries: MAX_ENTRIES }), { nowMs: Date.now(), retentionDays: 90 }).entries) {
          published.set(keyString(entry), Math.max(published.get(keyString(entry)) ?? 0, entry.n))
        }
      }
      const marked = new Set(tracker.store.exchange.pendingKeys().map(keyString))
      for (const entry of tracker.store.localCounters()) {
        if (!marked.has(keyString(entry))) expect(published.get(keyString(entry))).toBe(entry.n)
      }
    } finally {
      tracker.close()
    }
  }, 180_000)

  it('refuses to start on a corrupt database, with a clear message', async () => {
    const dataDir = tempDir()
    runCli(['record', '--data-dir', dataDir, '--task-type', 't', '--tool', 'x', '--success', 'true'])
    const db = new Database(`${dataDir}/hivebench.db`)
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
    writeFileSync(`${dataDir}/hivebench.db`, Buffer.alloc(8192, 0xab), { flag: 'r+' })
    const r = runCli(['start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/hivebench: database .* (is damaged|cannot be checked|cannot open)/)
  })
})
