export { createHiveNetwork } from './libp2p.js'
export { generateHiveKey, readHiveKey, parseHiveKey } from './hive-key.js'
export { SYNC_PROTOCOL, DEFAULT_SYNC_LIMITS, hiveTopic } from './types.js'
export type { HiveNetwork, HiveNetworkOptions, NetworkLogger, SyncHandler, SyncLimits, Verdict } from './types.js'
