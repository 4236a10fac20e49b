import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Received } from './receive.js'

export type EnvelopeDirection = 'published' | 'received'

/**
 * The node's Prometheus instruments, on a registry of its own (never prom-client's global one),
 * so several nodes in one process (tests, benchmarks) keep separate figures.
 */
export interface Metrics {
  readonly registry: Registry
  readonly outcomesRecorded: Counter
  readonly duplicates: Counter
  /** labels: direction, verdict, rule ('none' when accepted) */
  readonly envelopes: Counter<'direction' | 'verdict' | 'rule'>
  readonly peersConnected: Gauge
  readonly originsKnown: Gauge
  /** arms whose last week regressed against the week before (the daemon's daily drift check) */
  readonly armRegressions: Gauge
  readonly exportDuration: Histogram
  /** labels: method, route (the route pattern, or 'unmatched'), status */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>
  /**
   * Counts envelopes; `rule` names the validation rule behind an ignore or a reject (or why one
   * was dropped). Published envelopes are this node's own: 'accepted', rule 'none'.
   */
  countEnvelope: (direction: EnvelopeDirection, verdict: Received['verdict'], rule?: string, count?: number) => void
}

export function createMetrics (): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'hivebench_' })
  const registers = [registry]

  const envelopes = new Counter({
    name: 'hivebench_envelopes_total',
    help: 'Signed envelopes by direction, verdict and the validation rule behind an ignore or a reject',
    labelNames: ['direction', 'verdict', 'rule'] as const,
    registers
  })

  return {
    registry,
    outcomesRecorded: new Counter({ name: 'hivebench_outcomes_recorded_total', help: 'Outcomes recorded on this node (duplicates excluded)', registers }),
    duplicates: new Counter({ name: 'hivebench_outcome_duplicates_total', help: 'Outcomes ignored because their idempotency id was already recorded', registers }),
    envelopes,
    peersConnected: new Gauge({ name: 'hivebench_peers_connected', help: 'libp2p peers currently connected', registers }),
    originsKnown: new Gauge({ name: 'hivebench_origins_known', help: 'Origins whose counters this node holds, itself included', registers }),
    armRegressions: new Gauge({ name: 'hivebench_arm_regressions', help: 'Task type and arm rows that regressed in the last daily drift check (last 7 days against the 7 before, hive scope)', registers }),
    exportDuration: new Histogram({
      name: 'hivebench_export_duration_seconds',
      help: 'Time to build, sign and publish one delta or snapshot',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers
    }),
    httpRequestDuration: new Histogram({
      name: 'hivebench_http_request_duration_seconds',
      help: 'HTTP API request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      // The API answers from SQLite in well under a millisecond; the low buckets are where it lives.
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2],
      registers
    }),
    countEnvelope (direction, verdict, rule = 'none', count = 1) {
      envelopes.inc({ direction, verdict, rule }, count)
    }
  }
}
