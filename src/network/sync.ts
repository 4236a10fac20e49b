import { HivebenchError } from '../errors.js'
import { encodeFrame, readAllFrames, type ByteChunk } from '../protocol/frames.js'
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

/** Sends one request and collects the response frames, within the limits. */
export async function requestFrames (channel: ByteChannel, request: Uint8Array, limits: SyncLimits): Promise<Uint8Array[]> {
  const timer = abortAfter(channel, limits.timeoutMs)
  const sending = channel.send([encodeFrame(request)])
  // the response read below reports any failure; this only keeps a send error from going unhandled
  sending.catch(() => {})
  try {
    const frames = await readAllFrames(channel.source, limits)
    await sending
    return frames
  } catch (err) {
    channel.abort(asError(err))
    throw timer.fired ? timeoutError(limits.timeoutMs) : syncError(err)
  } finally {
    timer.clear()
  }
}

/**
 * Serves one inbound request. Never throws: a bad request, a handler error, an oversized
 * response frame or a timeout resets this stream only.
 */
export async function serveFrames (channel: ByteChannel, fromPeer: string, handler: SyncHandler, limits: SyncLimits, log: NetworkLogger): Promise<void> {
  const timer = abortAfter(channel, limits.timeoutMs)
  try {
    const frames = await readAllFrames(channel.source, { ...limits, maxFrames: 1 })
    if (frames.length !== 1) throw new HivebenchError('SYNC_PROTOCOL', 'request stream ended without a request frame')
    const responses = await handler(frames[0], fromPeer)
    await channel.send(encodeResponses(responses, limits.maxFrameBytes))
  } catch (err) {
    const reason = timer.fired ? timeoutError(limits.timeoutMs) : asError(err)
    log.warn({ peer: fromPeer, err: reason.message }, 'sync request failed')
    channel.abort(reason)
  } finally {
    timer.clear()
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
