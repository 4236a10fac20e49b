import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPairFromSeed, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { encodeFrame } from '../src/protocol/frames.js'
import { MAX_ENVELOPE_BYTES } from '../src/protocol/constants.js'
import type { TestVector, VectorReceiver, VectorVerdict } from '../src/protocol/index.js'
import { runCliAsync } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'
import { envelopeVectors, framingVectors, mergeVectors, sequenceVectors, syncVectors, vectorVerdict } from './protocol/vector-files.js'

/**
 * Every vector of protocol/vectors that carries envelopes, replayed through the real CLI
 * (`hivebench import-delta --now`, a child process on a fresh data dir), must get the verdicts
 * the vector states: what a user replaying them sees is what the spec says.
 */

interface Replay {
  /** the bytes of the file given to import-delta */
  file: Uint8Array
  receiver: VectorReceiver & Partial<Pick<TestVector, 'allowlist' | 'max_bytes' | 'id_work_bits'>>
}

/** One data dir per replay, removed by the replay itself: the tests run concurrently, so a shared afterEach would pull dirs from under running ones. */
async function importDelta (replay: Replay): Promise<{ code: number | null, stderr: string, verdicts: Array<{ verdict: string, rule?: string }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hivebench-vector-'))
  try {
    return await importInto(dir, replay)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function importInto (dir: string, { file, receiver }: Replay): Promise<{ code: number | null, stderr: string, verdicts: Array<{ verdict: string, rule?: string }> }> {
  if (receiver.allowlist !== undefined) writeFileSync(join(dir, 'origin-policy.json'), JSON.stringify({ allow: receiver.allowlist }))
  if (receiver.self_seed_hex !== undefined) {
    const key = await generateKeyPairFromSeed('Ed25519', Buffer.from(receiver.self_seed_hex, 'hex'))
    writeFileSync(join(dir, 'identity.key'), privateKeyToProtobuf(key), { mode: 0o600 })
  }
  const path = join(dir, 'vector.env')
  writeFileSync(path, file)
  const args = ['import-delta', '--json', '--data-dir', dir, '--now', String(receiver.now_ms), path]
  if (receiver.max_bytes !== undefined) args.push('--max-bytes', String(receiver.max_bytes))
  if (receiver.retention_days !== 90) throw new Error('the CLI keeps 90 days; a vector with another retention needs a --retention option')
  const r = await runCliAsync(args, { HIVEBENCH_ID_WORK_BITS: String(receiver.id_work_bits ?? 0) })
  const verdicts = r.code === 0 || r.stdout.startsWith('[') ? (JSON.parse(r.stdout) as Array<{ verdict: string, rule?: string }>).map(vectorVerdict) : []
  return { code: r.code, stderr: r.stderr, verdicts }
}

const framed = (hexes: string[]): Uint8Array => Buffer.concat(hexes.map(hex => encodeFrame(Buffer.from(hex, 'hex'))))
const stated = (steps: VectorVerdict[]): Array<{ verdict: string, rule?: string }> => steps.map(s => ({ verdict: s.verdict, rule: s.rule }))

describe('every vector through `hivebench import-delta --now`', () => {
  it.concurrent.each(envelopeVectors.map(v => [v.name, v] as const))('%s', async (_name, v) => {
    const r = await importDelta({ file: framed([v.hex]), receiver: v })
    expect(r.verdicts).toEqual(stated([v]))
    // a REJECT makes the command fail, so scripts notice
    expect(r.code).toBe(v.verdict === 'REJECT' ? 1 : 0)
  }, 60_000)

  it.concurrent.each([...sequenceVectors, ...mergeVectors].map(v => [v.name, v] as const))('%s (one file, in order)', async (_name, v) => {
    const r = await importDelta({ file: framed(v.steps.map(s => s.hex)), receiver: v })
    expect(r.verdicts).toEqual(stated(v.steps))
  }, 60_000)

  it.concurrent.each(framingVectors.map(v => [v.name, v] as const))('%s (as a file)', async (_name, v) => {
    const r = await importDelta({ file: Buffer.from(v.hex, 'hex'), receiver: v })
    if (v.file === 'refused') {
      expect(r.code).not.toBe(0)
      expect(r.stderr).toContain('is not an envelope file')
      expect(r.verdicts).toEqual([])
    } else {
      expect(r.verdicts).toEqual(stated(v.frames))
    }
  }, 60_000)

  it.concurrent.each(syncVectors.map(v => [v.name, v] as const))('%s: what the responder holds', async (_name, v) => {
    const r = await importDelta({ file: framed(v.held), receiver: v })
    expect(r.verdicts).toEqual(v.held.map(() => ({ verdict: 'ACCEPT' })))
  }, 60_000)
})

describe('import-delta --max-bytes', () => {
  it('only lowers R1: a limit above MAX_ENVELOPE_BYTES (which sync frames could not carry) is a usage error', async () => {
    const r = await runCliAsync(['import-delta', '--data-dir', tempDir(), '--max-bytes', String(MAX_ENVELOPE_BYTES + 1), 'none.hbd'])
    expect(r.code).toBe(1) // as every invalid option value
    expect(r.stderr).toContain(`--max-bytes must be at most ${MAX_ENVELOPE_BYTES}`)
  })
})
