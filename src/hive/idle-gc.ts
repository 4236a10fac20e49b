import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { interval, type Startable } from './lifecycle.js'

/**
 * Gives memory back once a burst of work is over. V8 collects when its heap grows, not when the
 * process goes quiet: after an attack (or a large catch-up) the Buffers it left behind (sync
 * frames, gossip RPCs: memory outside V8's heap, freed only when their wrappers are collected)
 * and the garbage in the heap stay resident until the next allocation-driven collection, which
 * an idle daemon never reaches. bench:hostile measured RSS 216 -> 269 MiB 30 s after a sync
 * attack, 36 MiB of it dead Buffers. So every `everyS` seconds, if the event loop was nearly idle
 * over the period and heap plus external memory grew by `minGrowthBytes` since the last
 * collection, one full collection runs (tens of ms, only when little else is going on): the
 * Buffers' memory goes back to the OS at once (glibc returns large blocks by munmap), the
 * heap's free pages in time.
 */
export interface IdleGcOptions {
  everyS: number
  /** event-loop utilisation (0..1) over the period under which the daemon counts as idle */
  maxUtilization: number
  minGrowthBytes: number
}

/**
 * "Quiet" is a quarter busy: a client polling the API back to back keeps the loop ~10% busy
 * (bench:hostile's probe), and one collection (~20-50 ms) once per burst costs such a client
 * nothing it would notice; under an attack the loop is busier and V8 collects on its own.
 */
export const DEFAULT_IDLE_GC: IdleGcOptions = { everyS: 10, maxUtilization: 0.25, minGrowthBytes: 16 * 1024 * 1024 }

/** The decision, apart from the clock and the collector. */
export function shouldCollect (utilization: number, bytesNow: number, bytesAfterLastGc: number, options: IdleGcOptions): boolean {
  return utilization < options.maxUtilization && bytesNow - bytesAfterLastGc >= options.minGrowthBytes
}

export interface IdleGc extends Startable {
  /** full collections run so far */
  collections: () => number
}

export function createIdleGc (options: IdleGcOptions = DEFAULT_IDLE_GC, onCollect?: (freedBytes: number) => void): IdleGc {
  let gc: (() => void) | undefined
  const held = (): number => {
    const m = process.memoryUsage()
    return m.heapUsed + m.external
  }
  let baseline = held()
  let elu = performance.eventLoopUtilization()
  let count = 0
  const timer = interval(options.everyS, () => {
    const period = performance.eventLoopUtilization(elu)
    elu = performance.eventLoopUtilization()
    const now = held()
    if (gc !== undefined && shouldCollect(period.utilization, now, baseline, options)) {
      gc()
      count++
      const after = held()
      onCollect?.(now - after)
      baseline = after
    } else if (now < baseline) {
      baseline = now
    }
  })
  return {
    // the V8 flag is set and the baselines are taken when the component starts, not when a node is
    // merely constructed
    async start () {
      gc ??= collector()
      baseline = held()
      elu = performance.eventLoopUtilization()
      await timer.start()
    },
    stop: timer.stop,
    collections: () => count
  }
}

/**
 * V8's full collection as a function. Node exposes it only under --expose-gc, which the daemon
 * cannot ask of the `node` that runs it; the flag can be set at run time, and takes effect for
 * contexts created after it: a fresh context's global `gc`. Undefined where that fails.
 */
function collector (): (() => void) | undefined {
  const exposed: unknown = (globalThis as { gc?: unknown }).gc // node --expose-gc: no flag to set
  if (typeof exposed === 'function') return exposed as () => void
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    return typeof gc === 'function' ? gc as () => void : undefined
  } catch {
    return undefined
  }
}
