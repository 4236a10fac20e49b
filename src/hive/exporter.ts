import type { Sharing } from './sharing.js'
import { MAX_GOSSIP_BYTES } from '../protocol/index.js'
import type { HiveNetwork } from '../network/types.js'

export interface ExportReport {
  kind: 'delta' | 'snapshot'
  envelopes: number
  entries: number
  recipients: number
  firstSeq: number | null
}

export interface ExporterOptions {
  sharing: Sharing
  network: HiveNetwork
  /** seconds between exports (DESIGN: default 300) */
  intervalS: number
  /** every Nth periodic export is a snapshot of all live keys (protocol default 12) */
  snapshotEvery: number
  /**
   * seconds from a change to its delta (default 10; 0: changes wait for the periodic export).
   * Debounced: changes are looked for once per period, so at most one delta per period.
   */
  publishDelayS?: number
  /**
   * Whether anything awaits a delta: a read, so that looking every few seconds writes nothing
   * when nothing changed (an empty export's write would move the store's change stamp).
   */
  hasChanges?: () => boolean
  onExport?: (report: ExportReport, durationMs: number) => void
  onError?: (err: unknown) => void
}

export interface Exporter {
  start: () => void
  stop: () => void
  /** exports now: a delta, or a snapshot when `snapshot` is set or it is the Nth export */
  exportNow: (options?: { snapshot?: boolean }) => Promise<ExportReport>
  /** when the next exports are due (null: not scheduled) */
  nextExport: () => NextExport
}

export interface NextExport {
  /** next look for changes to publish as a delta (every publishDelayS) */
  changes_at: string | null
  /** next periodic export (every intervalS) and its kind */
  periodic_at: string | null
  periodic_kind: 'delta' | 'snapshot'
}

/**
 * Publishes this node's deltas on two schedules: changes within publishDelayS of being recorded
 * (a delta, at most one per period), and a periodic export every intervalS (every Nth a full
 * snapshot, which repairs whatever a peer missed). Change marks live in the database, so
 * outcomes recorded by any writer of the data dir (HTTP, CLI, embedded API) are exported.
 * Exports are serialised: a tick never overlaps an on-demand export.
 */
export function createExporter (options: ExporterOptions): Exporter {
  let timers: NodeJS.Timeout[] = []
  let exports = 0
  let chain: Promise<unknown> = Promise.resolve()
  let periodicAt: number | null = null
  let changesAt: number | null = null

  const runExport = async (forceSnapshot: boolean, counted: boolean): Promise<ExportReport> => {
    const started = performance.now()
    // The first export of a run is a snapshot: peers that missed our deltas while we were down catch up at once.
    const kind = forceSnapshot || (counted && exports % options.snapshotEvery === 0) ? 'snapshot' : 'delta'
    if (counted) exports++
    const result = options.sharing.export(kind, MAX_GOSSIP_BYTES)
    let recipients = 0
    for (const bytes of result?.envelopes ?? []) recipients = Math.max(recipients, (await options.network.publish(bytes)).recipients)
    const report: ExportReport = { kind, envelopes: result?.envelopes.length ?? 0, entries: result?.entries ?? 0, recipients, firstSeq: result?.firstSeq ?? null }
    options.onExport?.(report, performance.now() - started)
    return report
  }

  /** `counted`: a periodic or on-demand export, which advances the snapshot cadence; quick deltas do not */
  const enqueue = async (snapshot: boolean, counted: boolean): Promise<ExportReport> => {
    const next = chain.then(async () => await runExport(snapshot, counted))
    chain = next.catch(() => undefined)
    return await next
  }

  const every = (seconds: number, onTick: () => void, setDue: (at: number) => void): void => {
    setDue(Date.now() + seconds * 1000)
    const timer = setInterval(() => { setDue(Date.now() + seconds * 1000); onTick() }, seconds * 1000)
    timer.unref()
    timers.push(timer)
  }

  return {
    start () {
      if (timers.length > 0) return
      every(options.intervalS, () => { enqueue(false, true).catch(err => options.onError?.(err)) }, at => { periodicAt = at })
      const delayS = options.publishDelayS ?? 0
      if (delayS > 0) {
        every(delayS, () => {
          if (options.hasChanges?.() === false) return
          enqueue(false, false).catch(err => options.onError?.(err))
        }, at => { changesAt = at })
      }
    },
    stop () {
      for (const t of timers) clearInterval(t)
      timers = []
      periodicAt = null
      changesAt = null
    },
    exportNow: async (o = {}) => await enqueue(o.snapshot === true, true),
    nextExport: () => ({
      changes_at: changesAt === null ? null : new Date(changesAt).toISOString(),
      periodic_at: periodicAt === null ? null : new Date(periodicAt).toISOString(),
      periodic_kind: exports % options.snapshotEvery === 0 ? 'snapshot' : 'delta'
    })
  }
}
