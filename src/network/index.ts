import type { HiveNetwork, HiveNetworkOptions } from './types.js'

export { generateHiveKey, readHiveKey, parseHiveKey } from './hive-key.js'
export { SYNC_PROTOCOL, SYNC_PROTOCOLS, DEFAULT_SYNC_LIMITS, hiveTopic } from './types.js'
export type { HiveNetwork, HiveNetworkOptions, NetworkLogger, SyncHandler, SyncLimits, Verdict } from './types.js'
export { dialFailure, type DialCause, type DialFailure } from './dial-failure.js'

/**
 * Builds a node (not started); see libp2p.ts. The libp2p stack is loaded on first use, not when
 * this module is: it costs ~0.6 s of CPU to import, which every CLI command would otherwise pay
 * although only `start` runs a network.
 */
export async function createHiveNetwork (options: HiveNetworkOptions): Promise<HiveNetwork> {
  const { createHiveNetwork: create } = await import('./libp2p.js')
  return await create(options)
}
