import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFrame, readAllFrames, type FrameLimits } from '../../src/protocol/frames.js'

const loose: FrameLimits = { maxFrameBytes: 1 << 20, maxFrames: 1000, maxTotalBytes: 1 << 24 }

async function * chunks (...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield * parts
}

/** Re-cuts a byte string at the given offsets, as a transport may. */
function cut (bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [...new Set(offsets.map(o => o % (bytes.length + 1)))].sort((a, b) => a - b)
  const parts: Uint8Array[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.subarray(start, point))
    start = point
  }
  return parts
}

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) { out.set(part, at); at += part.length }
  return out
}

describe('frames', () => {
  it('prefixes the body length as an unsigned varint', () => {
    expect(encodeFrame(new Uint8Array(0))).toEqual(Uint8Array.from([0]))
    expect(encodeFrame(Uint8Array.from([7]))).toEqual(Uint8Array.from([1, 7]))
    expect(encodeFrame(new Uint8Array(300)).subarray(0, 2)).toEqual(Uint8Array.from([0xac, 0x02]))
  })

  it('reads back any frames however the stream is chunked', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      async (bodies, offsets) => {
        const wire = concat(bodies.map(encodeFrame))
        const frames = await readAllFrames(chunks(...cut(wire, offsets)), loose)
        expect(frames).toEqual(bodies.map(b => Uint8Array.from(b)))
      }
    ), { numRuns: 200 })
  })

  it('refuses a frame over the size limit from its length prefix alone', async () => {
    const prefixOnly = encodeFrame(new Uint8Array(101)).subarray(0, 1)
    await expect(readAllFrames(chunks(prefixOnly), { ...loose, maxFrameBytes: 100 }))
      .rejects.toMatchObject({ code: 'SYNC_LIMIT' })
    // a huge varint is refused before it is complete
    await expect(readAllFrames(chunks(Uint8Array.from([0xff, 0xff, 0xff, 0xff])), loose))
      .rejects.toMatchObject({ code: 'SYNC_LIMIT' })
  })

  it('refuses more frames or more bytes than allowed', async () => {
    const three = [1, 2, 3].map(n => encodeFrame(new Uint8Array(10).fill(n)))
    await expect(readAllFrames(chunks(...three), { ...loose, maxFrames: 2 }))
      .rejects.toMatchObject({ code: 'SYNC_LIMIT', message: 'more than 2 frames' })
    await expect(readAllFrames(chunks(...three), { ...loose, maxTotalBytes: 25 }))
      .rejects.toMatchObject({ code: 'SYNC_LIMIT' })
    expect(await readAllFrames(chunks(...three), { ...loose, maxFrames: 3, maxTotalBytes: 30 })).toHaveLength(3)
  })

  it('reports a stream that ends inside a frame', async () => {
    const frame = encodeFrame(new Uint8Array(10))
    await expect(readAllFrames(chunks(frame.subarray(0, 5)), loose)).rejects.toMatchObject({ code: 'SYNC_PROTOCOL' })
    await expect(readAllFrames(chunks(Uint8Array.from([0x80])), loose)).rejects.toMatchObject({ code: 'SYNC_PROTOCOL' })
  })

  it('refuses a non-minimal length prefix (protocol r2.1), and accepts the minimal one', async () => {
    const body = Uint8Array.from([7, 7])
    await expect(readAllFrames(chunks(Uint8Array.from([0x82, 0x00, 7, 7])), loose)).rejects.toMatchObject({ code: 'SYNC_PROTOCOL', message: 'non-minimal frame length' })
    await expect(readAllFrames(chunks(Uint8Array.from([0x80, 0x00])), loose)).rejects.toMatchObject({ code: 'SYNC_PROTOCOL' })
    expect(await readAllFrames(chunks(Uint8Array.from([0x02, 7, 7])), loose)).toEqual([body])
    expect(await readAllFrames(chunks(encodeFrame(new Uint8Array(300))), loose)).toHaveLength(1)
  })

  it('accepts list-like chunks that expose subarray()', async () => {
    const frame = encodeFrame(Uint8Array.from([1, 2]))
    async function * lists (): AsyncGenerator<{ subarray(): Uint8Array }> {
      yield { subarray: () => frame }
    }
    expect(await readAllFrames(lists(), loose)).toEqual([Uint8Array.from([1, 2])])
  })
})

describe('byte-at-a-time senders', () => {
  it('a 512 KiB frame arriving one byte per chunk is read in linear time (no event-loop freeze)', async () => {
    const frame = encodeFrame(new Uint8Array(512 * 1024).fill(7))
    const started = Date.now()
    const frames = await readAllFrames((async function * () { for (const b of frame) yield Uint8Array.of(b) })(), { maxFrameBytes: 1 << 20, maxFrames: 4, maxTotalBytes: 1 << 21 })
    expect(frames[0].length).toBe(512 * 1024)
    // linear: about a second; the old quadratic queue took minutes. The bound is loose on purpose.
    expect(Date.now() - started).toBeLessThan(30_000)
  }, 60_000)
})
