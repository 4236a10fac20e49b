/**
 * Names the schema gives meaning to, declared once. Migrations (migrations.ts) are frozen
 * history and spell their own literals; everything else reads these.
 */

/** `origins.id` and `counters.origin` of this node; peer origins are > 0 */
export const LOCAL_ORIGIN = 0

/** `arm_window.origin` of the row that sums all peer origins (this node, origin 0, is kept apart). */
export const PEERS_ORIGIN = -1

/** Keys of the `meta` table. */
export const META = {
  /** first day of the window the `arm_window` rollup holds */
  windowStartDay: 'window_start_day',
  /** seq of the last raw batch whose keys went out in a delta (or a snapshot): the export mark */
  exportedBatchSeq: 'exported_batch_seq',
  /** grows with every change of counters or baselines: counters-version.ts */
  countersVersion: 'counters_version'
} as const

/** meta key of the export mark (META.exportedBatchSeq) */
export const EXPORTED_BATCH_SEQ = META.exportedBatchSeq
