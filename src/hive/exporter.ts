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
  /** every Nth export is a snapshot of all live keys (protocol default 12) */
  snapshotEvery: number
  onExport?: (report: ExportReport, durationMs: number) => void
  onError?: (err: unknown) => void
}

export interface Exporter {
  start: () => void
  stop: () => void
  /** exports now: a delta, or a snapshot when `snapshot` is set or it is the Nth export */
  exportNow: (options?: { snapshot?: boolean }) => Promise<ExportReport>
}

/**
 * Publishes this node's deltas on a schedule. Change marks live in the database, so outcomes
 * recorded by any writer of the data dir (HTTP, CLI, embedded API) are exported. Exports are
 * serialised: a tick never overlaps an on-demand export.
 */
export function createExporter (options: ExporterOptions): Exporter {
  let timer: NodeJS.Timeout | undefined
  let exports = 0
  let chain: Promise<unknown> = Promise.resolve()

  const runExport = async (forceSnapshot: boolean): Promise<ExportReport> => {
    const started = performance.now()
    // The first export of a run is a snapshot: peers that missed our deltas while we were down catch up at once.
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
    start () {
      if (timer !== undefined) return
      timer = setInterval(() => { exportNow().catch(err => options.onError?.(err)) }, options.intervalS * 1000)
      timer.unref()
    },
    stop () {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
    exportNow
  }
}
