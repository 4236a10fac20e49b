import { HivebenchError, StateError } from '../errors.js'

/**
 * The lifecycle contract every long-lived part of a node keeps (the network, the exporter, the
 * timers, the HTTP server, the daemon file): js-libp2p's component shape.
 *
 * - start() runs once; a second call is an error of the caller.
 * - stop() is safe to call twice, before start, and after a start that failed: it releases
 *   whatever the failed start had taken (a listener, a timer) and never throws for that.
 */
export interface Startable {
  start: () => Promise<void>
  stop: () => Promise<void>
}

/**
 * Starts `components` in order. If one fails, stops every component whose start was called
 * (the failed one included, since it may have half-started) in reverse order, then rethrows the
 * start error: the caller is left with nothing running and one error to report.
 */
export async function startAll (components: readonly Startable[]): Promise<void> {
  for (const [i, component] of components.entries()) {
    try {
      await component.start()
    } catch (err) {
      await stopAll(components.slice(0, i + 1)).catch(() => {})
      throw err
    }
  }
}

/**
 * Stops `components` in reverse order. Every stop runs even if an earlier one fails; the first
 * failure is rethrown once all have run.
 */
export async function stopAll (components: readonly Startable[]): Promise<void> {
  let failure: { err: unknown } | undefined
  for (const c of [...components].reverse()) {
    try {
      await c.stop()
    } catch (err) {
      failure ??= { err }
    }
  }
  if (failure !== undefined) throw failure.err
}

/** `fn` every `seconds` while started; the timer never keeps the process alive on its own. */
export function interval (seconds: number, fn: () => void): Startable {
  let timer: NodeJS.Timeout | undefined
  return {
    async start () {
      if (timer !== undefined) throw new HivebenchError('LIFECYCLE', 'interval already started')
      timer = setInterval(fn, seconds * 1000)
      timer.unref()
    },
    async stop () {
      clearInterval(timer)
    }
  }
}

/**
 * A port already taken is the operator's to fix: one line naming the address and the flag to
 * change, not libp2p's stack trace and its advice about transportManager.faultTolerance.
 */
export function listenError (err: unknown, what: 'libp2p' | 'http'): unknown {
  const message = (err as { message?: string }).message ?? ''
  if ((err as { code?: string }).code !== 'EADDRINUSE' && !/EADDRINUSE|address already in use/i.test(message)) return err
  const address = what === 'libp2p'
    ? /(\/ip[46]\/\S+?):\s*Error: listen EADDRINUSE/.exec(message)?.[1] ?? /address already in use (\S+)/.exec(message)?.[1]
    : /address already in use (\S+)/.exec(message)?.[1]
  const flag = what === 'libp2p' ? '--listen (e.g. --listen /ip4/0.0.0.0/tcp/0 for any free port)' : '--http-port (0: any free port)'
  return new StateError('ADDRESS_IN_USE', `${what === 'libp2p' ? 'libp2p' : 'HTTP'} address ${address ?? '(unknown)'} is already in use (another hivebench node?): choose another with ${flag}`, { cause: err })
}
