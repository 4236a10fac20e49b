import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ed25519KeyOfPeerId } from '../src/core/peer-id-text.js'
import { identityWork } from '../src/protocol/identity-work.js'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

const workOf = (peerId: string): number => identityWork(ed25519KeyOfPeerId(peerId) ?? new Uint8Array())

describe('hivebench id --mint: re-keying an identity made before R24', () => {
  it('warns in one line, mints a key with the work and a new seq epoch, keeps the counters and the old key; upgraded peers then accept it', () => {
    const [a, b] = [tempDir(), tempDir()]
    // an identity without the work (the tests run with R24 off: HIVEBENCH_ID_WORK_BITS=0)
    const old = runCli(['id', '--data-dir', a]).stdout.trim()
    const bits = workOf(old) + 1 // the hive now requires more than the old key carries
    runCli(['record', '--data-dir', a, '--task-type', 'bug_fix', '--tool', 'aider', '--success', 'true'])
    expect(runCli(['export-delta', '--data-dir', a, '--out', join(a, 'old.hb')]).code).toBe(0)

    const warned = runCli(['id', '--data-dir', a, '--id-work-bits', String(bits)])
    expect(warned.stdout.trim()).toBe(old)
    expect(warned.stderr.trim().split('\n')).toHaveLength(1)
    expect(warned.stderr).toContain(`carries ${workOf(old)} bits of work; peers requiring ${bits} (R24) refuse its envelopes: stop the node and run \`hivebench id --mint\``)

    const minted = runCli(['id', '--mint', '--data-dir', a, '--id-work-bits', String(bits), '--json'])
    expect(minted.code).toBe(0)
    const r = JSON.parse(minted.stdout) as { peer_id: string, previous_peer_id: string, minted: boolean, work_bits: number, seq_epoch: number, backup: string }
    expect(r).toMatchObject({ previous_peer_id: old, minted: true, hive_work_bits: bits })
    expect(r.peer_id).not.toBe(old)
    expect(workOf(r.peer_id)).toBeGreaterThanOrEqual(bits)
    expect(r.seq_epoch).toBeGreaterThan(Date.now() - 60_000)
    expect(existsSync(r.backup)).toBe(true)
    expect(r.backup).toBe(join(a, `identity.key.${old}.bak`))
    // the old self is denied: its envelopes, still held by peers, never come back as a peer's
    expect(JSON.parse(runCli(['import-delta', '--data-dir', a, join(a, 'old.hb'), '--json']).stdout)).toMatchObject([{ verdict: 'ignored', rule: 'R9' }])

    // the same data dir, the new identity: no warning, the counters kept, nothing left to do
    const after = runCli(['id', '--data-dir', a, '--id-work-bits', String(bits)])
    expect([after.stdout.trim(), after.stderr]).toEqual([r.peer_id, ''])
    expect(runCli(['id', '--mint', '--data-dir', a, '--id-work-bits', String(bits)]).stdout).toContain('nothing to do')
    expect(JSON.parse(runCli(['best', 'bug_fix', '--data-dir', a, '--json', '--min-samples', '1', '--scope', 'local']).stdout).best).toMatchObject({ tool: 'aider', n: 1 })

    // an upgraded peer refuses the old key and merges the new one's snapshot, seqs from the epoch
    const env = { HIVEBENCH_ID_WORK_BITS: String(bits) }
    expect(JSON.parse(runCli(['import-delta', '--data-dir', b, join(a, 'old.hb'), '--json'], env).stdout)).toMatchObject([{ verdict: 'rejected', rule: 'R24' }])
    const snap = JSON.parse(runCli(['export-delta', '--data-dir', a, '--out', join(a, 'new.hb'), '--snapshot', '--json'], env).stdout) as { first_seq: number }
    expect(snap.first_seq).toBe(r.seq_epoch + 1)
    expect(JSON.parse(runCli(['import-delta', '--data-dir', b, join(a, 'new.hb'), '--json'], env).stdout)).toMatchObject([{ verdict: 'accepted', origin: r.peer_id, seq: r.seq_epoch + 1 }])
    expect(JSON.parse(runCli(['best', 'bug_fix', '--data-dir', b, '--json', '--min-samples', '1'], env).stdout).best).toMatchObject({ tool: 'aider', n: 1 })
  }, 120_000)

  it('refuses while a daemon runs on the data dir (it holds the old key)', async () => {
    const { writeFileSync } = await import('node:fs')
    const dir = tempDir()
    runCli(['id', '--data-dir', dir])
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:1', peerId: 'x' }))
    const r = runCli(['id', '--mint', '--data-dir', dir, '--id-work-bits', '20'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('stop it, run `hivebench id --mint`')
  })
})
