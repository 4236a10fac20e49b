import { HivebenchError } from '../errors.js'
import { encodeFrame, readAllFrames, readFrames, type ByteChunk } from '../protocol/frames.js'
import type { NetworkLogger, SyncHandler, SyncLimits } from './types.js'

/**
 * The request/response exchange of the sync protocol, written against a minimal byte channel
 * so it does not depend on how a transport models streams.
 *
 * Exchange: the requester writes exactly one request frame and closes its write side; the
 * responder answers with zero or more frames and closes. A responder that fails resets the
 * stream, so a requester never mistakes a truncated answer for a complete one.
 */
export interface ByteChannel {
  /** bytes from the remote; ends when the remote closes its write side, throws on reset */
  source: AsyncIterable<ByteChunk>
  /** writes every chunk, then closes our write side */
  send(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void>
  /** resets the channel in both directions */
  abort(err: Error): void
}

/** What one sync exchange brought. */
export interface SyncTally { frames: number, bytes: number }

/**
 * Sends one request and hands each response frame to `onFrame` as it completes, within the
 * limits. Nothing is buffered beyond the frame being read: while `onFrame` works (it may be
 * async), no more is read, and the transport's flow control holds the responder back. So a
 * peer answering with junk costs one frame of memory, not the whole answer.
 */
export async function requestFrames (channel: ByteChannel, request: Uint8Array, limits: SyncLimits, onFrame: (frame: Uint8Array) => void | Promise<void>): Promise<SyncTally> {
  const timer = abortAfter(channel, limits.timeoutMs)
  const sending = channel.send([encodeFrame(request)])
  // the response read below reports any failure; this only keeps a send error from going unhandled
  sending.catch(() => {})
  const tally: SyncTally = { frames: 0, bytes: 0 }
  try {
    for await (const frame of readFrames(channel.source, limits)) {
      tally.frames++
      tally.bytes += frame.byteLength
      await onFrame(frame)
    }
    await sending
    return tally
  } catch (err) {
    channel.abort(asError(err))
    throw timer.fired ? timeoutError(limits.timeoutMs) : syncError(err)
  } finally {
    timer.clear()
  }
}

/**
 * Bounds the sync streams served at once, per peer and in total: each served stream holds at
 * most one response frame (MAX frame bytes) plus the transport's send window in memory, so these
 * two numbers bound the bytes in flight. A stream over the bound is reset at once, before its
 * request is even read: the requester's next sync tries again.
 */
export interface StreamGate {
  /** a release function, or undefined when the peer or the node is at its bound */
  enter: (peer: string) => (() => void) | undefined
  /** streams open now */
  open: () => number
}

export function createStreamGate (bounds: { perPeer: number, total: number }): StreamGate {
  const perPeer = new Map<string, number>()
  let total = 0
  return {
    enter (peer) {
      const mine = perPeer.get(peer) ?? 0
      if (mine >= bounds.perPeer || total >= bounds.total) return undefined
      perPeer.set(peer, mine + 1)
      total++
      let released = false
      return () => {
        if (released) return
        released = true
        total--
        const left = (perPeer.get(peer) ?? 1) - 1
        if (left === 0) perPeer.delete(peer)
        else perPeer.set(peer, left)
      }
    },
    open: () => total
  }
}

/** A counting semaphore: at most `limit` holders; the others wait in order. */
export function createSemaphore (limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: Array<() => void> = []
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>(resolve => waiting.push(resolve))
    else active++
    try {
      return await fn()
    } finally {
      const next = waiting.shift()
      if (next !== undefined) next()
      else active--
    }
  }
}

/**
 * Serves one inbound request. Never throws: a bad request, a handler error, an oversized
 * response frame or a timeout resets this stream only.
 */
export async function serveFrames (channel: ByteChannel, fromPeer: string, handler: SyncHandler, limits: SyncLimits, log: NetworkLogger, gate?: StreamGate): Promise<void> {
  const release = gate === undefined ? () => {} : gate.enter(fromPeer)
  if (release === undefined) {
    log.debug({ peer: fromPeer, open: gate?.open() }, 'sync stream refused: too many open')
    channel.abort(new HivebenchError('SYNC_BUSY', 'too many sync streams open'))
    return
  }
  const timer = abortAfter(channel, limits.timeoutMs)
  try {
    const frames = await readAllFrames(channel.source, { ...limits, maxFrames: 1 })
    const [request] = frames
    if (request === undefined || frames.length !== 1) throw new HivebenchError('SYNC_PROTOCOL', 'request stream ended without a request frame')
    const responses = await handler(request, fromPeer)
    await channel.send(encodeResponses(responses, limits.maxFrameBytes))
  } catch (err) {
    const reason = timer.fired ? timeoutError(limits.timeoutMs) : asError(err)
    log.warn({ peer: fromPeer, err: reason.message }, 'sync request failed')
    channel.abort(reason)
  } finally {
    timer.clear()
    release()
  }
}

async function * encodeResponses (responses: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxFrameBytes: number): AsyncGenerator<Uint8Array> {
  for await (const body of responses) {
    // the requester would refuse it anyway; failing here names the culprit in our own log
    if (body.byteLength > maxFrameBytes) {
      throw new HivebenchError('SYNC_LIMIT', `response frame of ${body.byteLength} bytes exceeds ${maxFrameBytes}`)
    }
    yield encodeFrame(body)
  }
}

function abortAfter (channel: ByteChannel, ms: number): { readonly fired: boolean, clear(): void } {
  const state = { fired: false, clear: () => clearTimeout(handle) }
  const handle = setTimeout(() => {
    state.fired = true
    channel.abort(timeoutError(ms))
  }, ms)
  return state
}

function timeoutError (ms: number): HivebenchError {
  return new HivebenchError('SYNC_TIMEOUT', `sync exchange took longer than ${ms} ms`)
}

function syncError (err: unknown): HivebenchError {
  if (err instanceof HivebenchError) return err
  return new HivebenchError('SYNC_FAILED', `sync exchange failed: ${asError(err).message}`, { cause: err })
}

function asError (err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}
