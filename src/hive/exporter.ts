import type { Sharing } from './sharing.js'
import { MAX_GOSSIP_BYTES } from '../protocol/index.js'
import type { HiveNetwork } from '../network/types.js'
import { HivebenchError } from '../errors.js'
import type { Startable } from './lifecycle.js'

export interface ExportReport {
  kind: 'delta' | 'snapshot'
  envelopes: number
  entries: number
  recipients: number
  firstSeq: number | null
}

export interface ExporterOptions {
  sharing: Sharing
  network: Pick<HiveNetwork, 'publish'>
  /** seconds between exports (default 300: NODE_DEFAULTS) */
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

export interface Exporter extends Startable {
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
 * snapshot, which repairs whatever a peer missed). start() publishes a snapshot first (peers
 * that missed our deltas while we were down catch up at once) and rejects if that fails; stop()
 * ends the schedules and, if start succeeded, publishes a last delta so nothing recorded is left
 * unpublished (without peers it is stored and synced later). Change marks live in the database,
 * so outcomes recorded by any writer of the data dir (HTTP, CLI, embedded API) are exported.
 * Exports are serialised: a tick never overlaps an on-demand export.
 */
export function createExporter (options: ExporterOptions): Exporter {
  let timers: NodeJS.Timeout[] = []
  let state: 'new' | 'starting' | 'running' | 'stopped' = 'new'
  let stopping: Promise<void> | undefined
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
    async start () {
      if (state !== 'new') throw new HivebenchError('LIFECYCLE', `cannot start an exporter that is ${state}`)
      state = 'starting'
      await enqueue(true, true)
      if (state !== 'starting') return // stopped meanwhile
      state = 'running'
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
      stopping ??= (async () => {
        const wasRunning = state === 'running'
        state = 'stopped'
        for (const t of timers) clearInterval(t)
        timers = []
        periodicAt = null
        changesAt = null
        if (!wasRunning) return
        try { await enqueue(false, true) } catch (err) { options.onError?.(err) }
      })()
      return stopping
    },
    exportNow: async (o = {}) => await enqueue(o.snapshot === true, true),
    nextExport: () => ({
      changes_at: changesAt === null ? null : new Date(changesAt).toISOString(),
      periodic_at: periodicAt === null ? null : new Date(periodicAt).toISOString(),
      periodic_kind: exports % options.snapshotEvery === 0 ? 'snapshot' : 'delta'
    })
  }
}
