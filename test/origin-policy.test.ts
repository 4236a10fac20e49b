import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { dayOf } from '../src/core/time.js'
import { emptyCounters } from '../src/core/types.js'
import { writeEnvelopeFile } from '../src/hive/envelope-file.js'
import { openLocalNode, type LocalNode } from '../src/hive/local-node.js'
import { readOriginPolicy, updateOriginPolicy } from '../src/hive/origin-policy.js'
import { encodeEnvelope } from '../src/protocol/index.js'
import { identityWork, mintSeed } from '../src/protocol/identity-work.js'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'
import type { Ed25519PrivateKey } from '@libp2p/interface'

const NOW = Date.now()
const open: LocalNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

/** One origin's snapshot: `pass` of `n` on `tool` for bug_fix, today. */
const snapshot = (key: Ed25519PrivateKey, tool: string, n: number, pass: number): Uint8Array => encodeEnvelope({
  seq: 1,
  kind: 'snapshot',
  createdAtMs: NOW,
  entries: [{ ...emptyCounters(), taskType: 'bug_fix', tool, model: '', day: dayOf(NOW), n, pass, grader_fail: n - pass }]
}, key)

/** A data dir that merged three honest origins (good 8/10, bad 2/10) and a liar (bad 1000/1000). */
async function poisoned (): Promise<{ dir: string, honest: string[], liar: string, lie: Uint8Array }> {
  const dir = tempDir()
  const node = await openLocalNode({ dataDir: dir, workBits: 0 })
  const honest: string[] = []
  for (let i = 0; i < 3; i++) {
    const key = await generateKeyPairFromSeed('Ed25519', mintSeed(4).seed)
    honest.push(peerIdFromPrivateKey(key).toString())
    for (const e of [snapshot(key, 'good', 10, 8)]) expect(node.receiver.receive(e).verdict).toBe('accepted')
    // a second envelope per origin: seq 2 for the bad arm
    expect(node.receiver.receive(encodeEnvelope({ seq: 2, kind: 'delta', createdAtMs: NOW, entries: [{ ...emptyCounters(), taskType: 'bug_fix', tool: 'bad', model: '', day: dayOf(NOW), n: 10, pass: 2, grader_fail: 8 }] }, key)).verdict).toBe('accepted')
  }
  let liarKey = await generateKeyPair('Ed25519')
  while (identityWork(liarKey.publicKey.raw) >= 4) liarKey = await generateKeyPair('Ed25519')
  const lie = snapshot(liarKey, 'bad', 1000, 1000)
  expect(node.receiver.receive(lie).verdict).toBe('accepted')
  node.close()
  return { dir, honest, liar: peerIdFromPrivateKey(liarKey).toString(), lie }
}

const bestOf = async (dir: string, workBits = 0): Promise<{ best: string | undefined, bad: { n: number, origins: number } | undefined }> => {
  // the ranking's own defences off: what holds here is the policy alone
  const node = await openLocalNode({ dataDir: dir, workBits, rankPolicy: { originCap: 100, medianCapFactor: 0, minOrigins: 1, leaveOut: 0 } })
  open.push(node)
  const r = node.tracker.best('bug_fix', { minSamples: 5 })
  const bad = r.ranking.find(a => a.tool === 'bad')
  return { best: r.best?.tool, bad: bad === undefined ? undefined : { n: bad.n, origins: bad.origins } }
}

describe('origin policy applies to what is already stored', () => {
  it('an allowlist set after the poisoning leaves the liar out of the hive ranking (stored, not counted)', async () => {
    const { dir, honest } = await poisoned()
    expect((await bestOf(dir)).best).toBe('bad') // 3 honest origins: too few to outvote without the policy
    updateOriginPolicy(dir, { allow: honest })
    expect(await bestOf(dir)).toEqual({ best: 'good', bad: { n: 30, origins: 3 } })
  })

  it('a trust list does the same, and the untrusted origin stays listed', async () => {
    const { dir, honest, liar } = await poisoned()
    expect((await bestOf(dir)).best).toBe('bad')
    updateOriginPolicy(dir, { trust: honest })
    expect((await bestOf(dir)).best).toBe('good')
    expect(open[0].tracker.store.exchange.origins().map(o => o.peerId)).toContain(liar)
  })

  it('origins whose keys lack the hive\'s identity work are left out once the hive requires it', async () => {
    const { dir } = await poisoned() // the honest keys carry 4 bits of work, the liar's fewer
    expect((await bestOf(dir, 0)).best).toBe('bad')
    expect((await bestOf(dir, 4)).bad?.origins).toBeLessThanOrEqual(3)
    expect((await bestOf(dir, 4)).best).toBe('good')
  })
})

describe('every import path honours the data dir\'s policy (CLI)', () => {
  it('import-delta ignores origins outside the stored allowlist (R9)', async () => {
    const dir = tempDir()
    const key = await generateKeyPair('Ed25519')
    const file = join(dir, 'liar.env')
    writeEnvelopeFile(file, [snapshot(key, 'bad', 1000, 1000)])
    const someoneElse = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    updateOriginPolicy(dir, { allow: [someoneElse] })
    const r = runCli(['import-delta', file, '--json', '--data-dir', dir])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject([{ verdict: 'ignored', rule: 'R9' }])
  })

  it('forget purges an origin, which is then never merged again', async () => {
    const { dir, liar, lie } = await poisoned()
    expect((await bestOf(dir)).best).toBe('bad')
    open.pop()?.close()
    const r = runCli(['forget', liar, '--data-dir', dir])
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(/^purged /)
    expect(readOriginPolicy(dir).deny).toEqual([liar])
    const after = await bestOf(dir)
    expect(after).toEqual({ best: 'good', bad: { n: 30, origins: 3 } })
    expect(open[0].tracker.store.exchange.origins().map(o => o.peerId)).not.toContain(liar)
    expect(open[0].receiver.receive(lie)).toMatchObject({ verdict: 'ignored', rule: 'R9' })
  })

  it('start --trust refuses a file with something that is not a peer id', () => {
    const dir = tempDir()
    const file = join(dir, 'trust.txt')
    writeFileSync(file, '# our team\nnot-a-peer-id\n')
    const r = runCli(['start', '--trust', file, '--data-dir', dir, '--http-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/not an Ed25519 peer id/)
  })
})

describe('seniority and the trust list', () => {
  it('new origins the operator trusts count apart (seniority is off under a trust list); untrusted-by-default they count as one', async () => {
    const dir = tempDir()
    let clock = NOW - 8 * 86_400_000
    const node = await openLocalNode({ dataDir: dir, workBits: 0, now: () => clock })
    const founders: string[] = []
    for (let i = 0; i < 3; i++) {
      const key = await generateKeyPair('Ed25519')
      founders.push(peerIdFromPrivateKey(key).toString())
      const entry = { ...emptyCounters(), taskType: 'bug_fix', tool: 'good', model: '', day: dayOf(clock), n: 10, pass: 6, grader_fail: 4 }
      expect(node.receiver.receive(encodeEnvelope({ seq: 1, kind: 'snapshot', createdAtMs: clock, entries: [entry] }, key)).verdict).toBe('accepted')
    }
    // a week later two new origins report a better arm the founders never tried
    clock = NOW
    const newcomers: string[] = []
    for (let i = 0; i < 2; i++) {
      const key = await generateKeyPair('Ed25519')
      newcomers.push(peerIdFromPrivateKey(key).toString())
      expect(node.receiver.receive(snapshot(key, 'fresh', 10, 10)).verdict).toBe('accepted')
    }
    node.close()
    const bestAt = async (): Promise<string | undefined> => {
      const reopened = await openLocalNode({ dataDir: dir, workBits: 0, now: () => NOW })
      open.push(reopened)
      return reopened.tracker.best('bug_fix').best?.tool
    }
    expect(await bestAt()).toBe('good') // two new origins corroborate as one
    updateOriginPolicy(dir, { trust: [...founders, ...newcomers] })
    expect(await bestAt()).toBe('fresh')
  })
})
