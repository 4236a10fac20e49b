import { HivebenchError } from '../errors.js'
import { MAX_ENVELOPE_BYTES } from './constants.js'

/**
 * The sync protocol (protocol/README.md, "Sync"): its id and every limit, declared once. The
 * network module serves and requests under these (it knows them as plain numbers); the hive
 * layer answers within them.
 */
export const SYNC = {
  /** request version 1: seqs as msgpack [from, to] pairs; every node serves it (older peers know only this one) */
  protocolId: '/hivebench/sync/1.0.0',
  /** request version 2 (r2.2): compact seq sets; offered first, so two current nodes agree on it */
  compactProtocolId: '/hivebench/sync/2.0.0',
  /** largest frame, request or response: one envelope */
  maxFrameBytes: MAX_ENVELOPE_BYTES,
  /** most response frames a requester accepts for one request */
  maxFrames: 10_000,
  /** most response bytes a requester accepts for one request */
  maxTotalBytes: 64 * 1024 * 1024,
  /** one whole exchange, dialling included */
  timeoutMs: 30_000,
  /** a responder sends at most this many frames and bytes, well inside any requester's limits, so an answer is never refused whole; the next sync asks for the rest */
  answerFrames: 5_000,
  answerBytes: 32 * 1024 * 1024
} as const

/**
 * Length-prefixed framing for the sync protocol: each frame is an unsigned LEB128 varint
 * (the multiformats unsigned-varint) holding the body length, then the body. Written here
 * rather than borrowed from a libp2p helper so the sync layer only needs "an async iterable
 * of byte chunks", whatever transport produced it.
 */

/** A chunk as transports hand them over: a Uint8Array, or a list of them with subarray(). */
export type ByteChunk = Uint8Array | { subarray(): Uint8Array }

export interface FrameLimits {
  /** largest frame body accepted, in bytes */
  maxFrameBytes: number
  /** most frames accepted before the stream must end */
  maxFrames: number
  /** most body bytes accepted in total */
  maxTotalBytes: number
}

/** a varint longer than this cannot be a frame length we would accept (2^56 > any limit) */
const MAX_VARINT_BYTES = 8

export function encodeFrame (body: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let n = body.byteLength
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 0x80)
  }
  prefix.push(n)
  const frame = new Uint8Array(prefix.length + body.byteLength)
  frame.set(prefix, 0)
  frame.set(body, prefix.length)
  return frame
}

/**
 * Yields frames as they complete, until the source ends: a consumer that awaits each one reads
 * no further meanwhile, so the sender is held back by the transport's flow control instead of
 * filling our memory. Throws a `SYNC_LIMIT` error as soon as a limit is crossed (before
 * buffering the offending body) and a `SYNC_PROTOCOL` error when the source ends inside a frame.
 */
export async function * readFrames (source: AsyncIterable<ByteChunk>, limits: FrameLimits): AsyncGenerator<Uint8Array> {
  const queue = new ByteQueue()
  let frames = 0
  let totalBytes = 0
  let bodyLength: number | undefined

  for await (const chunk of source) {
    queue.push(chunk.subarray())
    while (true) {
      if (bodyLength === undefined) {
        bodyLength = readLength(queue, limits.maxFrameBytes)
        if (bodyLength === undefined) break
        if (frames >= limits.maxFrames) {
          throw new HivebenchError('SYNC_LIMIT', `more than ${limits.maxFrames} frames`)
        }
        if (totalBytes + bodyLength > limits.maxTotalBytes) {
          throw new HivebenchError('SYNC_LIMIT', `more than ${limits.maxTotalBytes} bytes in total`)
        }
      }
      if (queue.length < bodyLength) break
      const frame = queue.take(bodyLength)
      frames++
      totalBytes += bodyLength
      bodyLength = undefined
      yield frame
    }
  }
  if (bodyLength !== undefined || queue.length > 0) {
    throw new HivebenchError('SYNC_PROTOCOL', 'stream ended inside a frame')
  }
}

/** readFrames, collected: for inputs already in memory (envelope files, a request frame). */
export async function readAllFrames (source: AsyncIterable<ByteChunk>, limits: FrameLimits): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = []
  for await (const frame of readFrames(source, limits)) frames.push(frame)
  return frames
}

/** Consumes a complete length prefix from the queue, or returns undefined (queue untouched) if it is not all there yet. */
function readLength (queue: ByteQueue, maxFrameBytes: number): number | undefined {
  let value = 0
  for (let i = 0; i < queue.length; i++) {
    if (i >= MAX_VARINT_BYTES) throw new HivebenchError('SYNC_PROTOCOL', 'malformed frame length')
    const byte = queue.byteAt(i)
    value += (byte & 0x7f) * 2 ** (7 * i)
    // the value only grows with more bytes, so an oversized frame is refused before it arrives
    if (value > maxFrameBytes) {
      throw new HivebenchError('SYNC_LIMIT', `frame larger than ${maxFrameBytes} bytes`)
    }
    if ((byte & 0x80) === 0) {
      // the unsigned-varint spec requires the minimal encoding: a last byte of 0 after others pads
      if (i > 0 && byte === 0) throw new HivebenchError('SYNC_PROTOCOL', 'non-minimal frame length')
      queue.take(i + 1)
      return value
    }
  }
  return undefined
}

/**
 * FIFO of byte chunks that copies each byte once when a frame is taken out (no quadratic
 * concat). Consumed chunks are skipped by index, not shifted out: a peer sending one byte per
 * chunk must not make taking a frame quadratic in its length.
 */
class ByteQueue {
  private chunks: Uint8Array[] = []
  private first = 0 // chunks before this index are fully consumed
  private head = 0 // bytes of chunks[first] already consumed
  length = 0

  push (chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return
    this.chunks.push(chunk)
    this.length += chunk.byteLength
  }

  byteAt (index: number): number {
    let i = index + this.head
    for (let c = this.first; ; c++) {
      const chunk = this.chunks[c]
      if (chunk === undefined) throw new RangeError('index past the end of the queue')
      const byte = chunk[i] // undefined past this chunk's end: the index is in a later chunk
      if (byte !== undefined) return byte
      i -= chunk.byteLength
    }
  }

  take (n: number): Uint8Array {
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[this.first]
      if (chunk === undefined) throw new RangeError('take past the end of the queue')
      const available = chunk.byteLength - this.head
      const count = Math.min(available, n - filled)
      out.set(chunk.subarray(this.head, this.head + count), filled)
      filled += count
      if (count === available) {
        this.first++
        this.head = 0
      } else {
        this.head += count
      }
    }
    this.length -= n
    // drop consumed chunks now and then, in amortised linear time
    if (this.first > 1024 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first)
      this.first = 0
    }
    return out
  }
}
