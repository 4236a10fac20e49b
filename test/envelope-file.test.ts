import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readEnvelopeFile, writeEnvelopeFile } from '../src/hive/envelope-file.js'
import { MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES } from '../src/protocol/index.js'
import { openTracker } from '../src/tracker.js'
import { runCli } from './helpers/cli.js'
import { encodeFrame } from '../src/protocol/frames.js'
import { fileNode, type TestNode } from './helpers/nodes.js'
import { tempDir } from './helpers/tmp.js'

const open: TestNode[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

describe('envelope files (protocol r2.1)', () => {
  it('an oversize envelope is an R1 REJECT for itself alone; the envelopes around it are merged', async () => {
    const [a, b, me] = [await fileNode(), await fileNode(), await fileNode()]
    open.push(a, b, me)
    a.tracker.record({ task_type: 'bug_fix', tool: 'aider', success: true })
    b.tracker.record({ task_type: 'bug_fix', tool: 'cursor', success: true })
    const first = a.sharing.export('snapshot')!.envelopes
    const last = b.sharing.export('snapshot')!.envelopes
    const file = join(tempDir(), 'mixed.env')
    writeFileSync(file, Buffer.concat([...first, new Uint8Array(MAX_ENVELOPE_BYTES + 1), ...last].map(encodeFrame)))
    const verdicts = (await readEnvelopeFile(file)).map(bytes => me.sharing.receive(bytes))
    expect(verdicts.map(v => v.verdict === 'accepted' ? 'accepted' : `${v.verdict} ${v.rule}`)).toEqual(['accepted', 'rejected R1', 'accepted'])
  })

  it('a file whose framing is broken is refused whole', async () => {
    const file = join(tempDir(), 'cut.env')
    writeEnvelopeFile(file, [new Uint8Array(10)])
    const whole = await readEnvelopeFile(file)
    writeFileSync(file, encodeFrame(whole[0]).subarray(0, 5))
    await expect(readEnvelopeFile(file)).rejects.toMatchObject({ code: 'FILE' })
  })
})

describe('export-delta (protocol r2.1)', () => {
  it('splits a large snapshot into parts within MAX_GOSSIP_BYTES', async () => {
    const dir = tempDir()
    const tracker = openTracker({ dataDir: dir })
    tracker.recordBatch(Array.from({ length: 12_000 }, (_, i) => ({ task_type: `task-${i % 40}`, tool: `tool-with-a-longish-name-${i}`, model: 'some-model', success: i % 2 === 0 })))
    tracker.close()
    const out = join(dir, 'snapshot.env')
    const r = runCli(['export-delta', '--snapshot', '--out', out, '--data-dir', dir])
    expect(r.stderr).toBe('')
    const envelopes = await readEnvelopeFile(out)
    expect(envelopes.length).toBeGreaterThan(1)
    for (const e of envelopes) expect(e.length).toBeLessThanOrEqual(MAX_GOSSIP_BYTES)
  })
})
