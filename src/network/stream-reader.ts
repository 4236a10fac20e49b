import type { ByteChunk } from '../protocol/frames.js'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

/**
 * Bounds on what a libp2p stream may hold unread. yamux grants the remote a new send window as
 * soon as bytes are handed to a 'message' listener, and a libp2p 3 stream's own async iterator
 * is such a listener feeding an unbounded queue: so reading a stream with `for await` buffers
 * whatever the remote sends, however slowly we consume it (16 peers answering a sync with
 * 61 MiB of junk each took the daemon from 143 to 500 MiB). Only a paused stream stops granting
 * window; what arrives while paused waits in the stream's read buffer, and a read buffer over
 * `maxReadBufferLength` resets the stream.
 *
 * So the window may never outgrow the read buffer: with these numbers, a paused stream holds at
 * most `maxStreamWindowSize` (2 MiB) and an honest peer can never trip the 4 MiB reset, while
 * a peer ignoring the window is cut off at 4 MiB.
 */
export const STREAM_BUFFERS = {
  /** the most yamux lets a stream's receive window grow to (its default is 16 MiB) */
  maxStreamWindowSize: 2 * 1024 * 1024,
  /** unread bytes a stream may hold before it is reset (yamux's default, kept explicit) */
  maxReadBufferLength: 4 * 1024 * 1024
} as const

/**
 * The stream's bytes as an async iterable that reads only while its consumer waits for the
 * next chunk: the stream is paused from the start and between pulls, so a consumer busy with
 * one chunk holds the remote back by the transport's flow control instead of queueing what it
 * sends. Ends when the remote closes its write side (after the buffered bytes); throws when the
 * stream is reset or aborted.
 */
export function pausedReader (stream: Stream): AsyncIterable<ByteChunk> {
  pauseQuietly(stream)
  return { [Symbol.asyncIterator]: () => readWhilePulled(stream) }
}

async function * readWhilePulled (stream: Stream): AsyncGenerator<ByteChunk> {
  const chunks: ByteChunk[] = []
  let failure: Error | undefined
  let wake = (): void => {}
  const onMessage = (evt: StreamMessageEvent): void => {
    chunks.push(evt.data)
    pauseQuietly(stream)
    wake()
  }
  const onClose = (evt: StreamCloseEvent): void => {
    failure = evt.error
    wake()
  }
  const onEnd = (): void => { wake() }
  stream.addEventListener('message', onMessage)
  stream.addEventListener('close', onClose)
  stream.addEventListener('end', onEnd)
  try {
    while (true) {
      if (failure !== undefined) throw failure
      const chunk = chunks.shift()
      if (chunk !== undefined) {
        yield chunk
        continue
      }
      if (stream.readableEnded || (stream.status !== 'open' && stream.readBufferLength === 0)) return
      const woken = new Promise<void>(resolve => { wake = resolve })
      // delivers what was buffered while paused (synchronously, into onMessage) and grants window
      resumeQuietly(stream)
      await woken
    }
  } finally {
    stream.removeEventListener('message', onMessage)
    stream.removeEventListener('close', onClose)
    stream.removeEventListener('end', onEnd)
  }
}

/** pause() and resume() throw on a stream whose readable end is closing or closed: nothing to do then. */
function pauseQuietly (stream: Stream): void {
  if (stream.readStatus === 'readable') stream.pause()
}

function resumeQuietly (stream: Stream): void {
  if (stream.readStatus === 'paused') stream.resume()
}

/**
 * Resolves once the stream may be written to again; rejects if it closes first. Not
 * `stream.onDrain()`: in @libp2p/utils 7.4 that promise is created once and stays resolved
 * after the first drain, so every later wait returned at once and a responder kept queueing
 * frames into the stream's unbounded write buffer (a sync answer nobody read grew to its
 * whole 32 MiB per stream: 213 -> 690 MiB under bench:hostile's sync-responder attack).
 */
export async function drained (stream: Stream): Promise<void> {
  while (stream.writableNeedsDrain) {
    if (stream.status !== 'open') throw new Error(`the stream is ${stream.status}`)
    await new Promise<void>((resolve, reject) => {
      const onDrain = (): void => { settle(); resolve() }
      const onClose = (evt: StreamCloseEvent): void => { settle(); reject(evt.error ?? new Error('the stream closed while waiting to send')) }
      const settle = (): void => {
        stream.removeEventListener('drain', onDrain)
        stream.removeEventListener('close', onClose)
      }
      stream.addEventListener('drain', onDrain)
      stream.addEventListener('close', onClose)
    })
  }
}
