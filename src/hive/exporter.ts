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
  /** every Nth export is a snapshot of all live keys (protocol default 12) */
  snapshotEvery: number
  onExport?: (report: ExportReport, durationMs: number) => void
  onError?: (err: unknown) => void
}

export interface Exporter extends Startable {
  /** exports now: a delta, or a snapshot when `snapshot` is set or it is the Nth export */
  exportNow: (options?: { snapshot?: boolean }) => Promise<ExportReport>
}

/**
 * Publishes this node's deltas on a schedule. start() publishes a snapshot first (peers that
 * missed our deltas while we were down catch up at once) and rejects if that fails; stop()
 * ends the schedule and, if start succeeded, publishes a last delta so nothing recorded is left
 * unpublished (without peers it is stored and synced later). Change marks live in the database, so outcomes
 * recorded by any writer of the data dir (HTTP, CLI, embedded API) are exported. Exports are
 * serialised: a tick never overlaps an on-demand export.
 */
export function createExporter (options: ExporterOptions): Exporter {
  let timer: NodeJS.Timeout | undefined
  let state: 'new' | 'starting' | 'running' | 'stopped' = 'new'
  let stopping: Promise<void> | undefined
  let exports = 0
  let chain: Promise<unknown> = Promise.resolve()

  const runExport = async (forceSnapshot: boolean): Promise<ExportReport> => {
    const started = performance.now()
    const kind = forceSnapshot || exports % options.snapshotEvery === 0 ? 'snapshot' : 'delta'
    exports++
    const result = options.sharing.export(kind, MAX_GOSSIP_BYTES)
    let recipients = 0
    for (const bytes of result?.envelopes ?? []) recipients = Math.max(recipients, (await options.network.publish(bytes)).recipients)
    const report: ExportReport = { kind, envelopes: result?.envelopes.length ?? 0, entries: result?.entries ?? 0, recipients, firstSeq: result?.firstSeq ?? null }
    options.onExport?.(report, performance.now() - started)
    return report
  }

  const exportNow = async (o: { snapshot?: boolean } = {}): Promise<ExportReport> => {
    const next = chain.then(async () => await runExport(o.snapshot === true))
    chain = next.catch(() => undefined)
    return await next
  }

  return {
    async start () {
      if (state !== 'new') throw new HivebenchError('LIFECYCLE', `cannot start an exporter that is ${state}`)
      state = 'starting'
      await exportNow({ snapshot: true })
      if (state !== 'starting') return // stopped meanwhile
      state = 'running'
      timer = setInterval(() => { exportNow().catch(err => options.onError?.(err)) }, options.intervalS * 1000)
      timer.unref()
    },
    stop () {
      stopping ??= (async () => {
        const wasRunning = state === 'running'
        state = 'stopped'
        clearInterval(timer)
        if (!wasRunning) return
        try { await exportNow() } catch (err) { options.onError?.(err) }
      })()
      return stopping
    },
    exportNow
  }
}
