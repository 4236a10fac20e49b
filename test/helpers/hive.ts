import { pino } from 'pino'
import { createHiveNode, NODE_DEFAULTS, type HiveNode, type NodeOptions } from '../../src/hive/node.js'
import { tempDir } from './tmp.js'

export const quiet = pino({ level: 'silent' })

/** A daemon on 127.0.0.1 with a fresh (or given) data dir; fast heartbeat for tests. */
export async function startNode (options: Partial<NodeOptions> = {}): Promise<HiveNode> {
  const node = await createHiveNode({
    ...NODE_DEFAULTS,
    dataDir: tempDir(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    exportIntervalS: 3600,
    // exports only when a test asks (quick deltas are tested with publishDelayS set)
    publishDelayS: 0,
    syncIntervalS: 3600,
    heartbeatIntervalMs: 200,
    logger: quiet,
    ...options
  })
  await node.start()
  return node
}

export function addressOf (node: HiveNode): string {
  const addr = node.network.multiaddrs().find(a => a.includes('/127.0.0.1/'))
  if (addr === undefined) throw new Error('node has no loopback address')
  return addr
}

/** Polls until `check` returns true (or throws the last failure after `timeoutMs`). */
export async function eventually (check: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, stepMs))
  }
}

/** The node's hive counters as a string (histograms included: a Map would stringify as {}). */
export function hiveView (node: HiveNode): string {
  return JSON.stringify(node.local.tracker.store.exchange.hiveCounters(), (_, v: unknown) => v instanceof Map ? [...v].sort((a, b) => a[0] - b[0]) : v)
}
