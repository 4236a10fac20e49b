/**
 * The store's one face: the SQLite database of a data dir (outcomes, counters, envelopes,
 * origins) and the node's identity file. Code outside src/store/ imports this file only.
 */
export { openStore, type ArmsRequest, type Store, type StoreOptions } from './store.js'
export type { ArmAggregate, Scope } from './arm-queries.js'
export type { RecordResult } from './local-writer.js'
export {
  DEFAULT_ORIGIN_BOUNDS, MAX_ARMS_PER_TASK_TYPE, MAX_DELTAS_PER_ORIGIN, MAX_KEYS_PER_ORIGIN, originJson,
  type EnvelopeKind, type OriginBounds, type Exchange, type ExportResult, type IncomingEnvelope, type MergeResult, type OriginHoldings, type OriginInfo, type OriginJson, type StoreRefusal
} from './exchange.js'
export { IDENTITY_FILE, loadOrCreateIdentity, replaceIdentity, type Identity } from './identity.js'
export { databasePath, ensureDataDir, resolveDataDir } from './data-dir.js'
export type { Db } from './db.js'
export { createForget } from './forget.js'
export { fsyncDirectory, writeFileDurably } from './durable.js'
export { LOCAL_ORIGIN, PEERS_ORIGIN } from './schema.js'
export { createArmDays, type ArmDay, type ArmDaysQuery } from './arm-days.js'
export { createBaselineTable, type Baseline, type BaselineArm, type BaselineMeta, type BaselineTable } from './baselines.js'
