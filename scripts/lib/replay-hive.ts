import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { envelopesLacked, syncRequestOf } from '../../src/hive/sync-answers.js'
import { readEnvelopeFile, writeEnvelopeFile } from '../../src/hive/envelope-file.js'
import { createSharing, type Sharing } from '../../src/hive/sharing.js'
import { createReceiver, type Receiver } from '../../src/hive/receive.js'
import { openTracker, type StoreTracker } from '../../src/tracker.js'
import { at } from './lists.js'
import type { Row } from './replay-data.js'

/** What one round's exchange moved: envelope bytes as published (once) and as delivered (once per receiver). */
export interface ExchangeReport { published: number, delivered: number, envelopes: number, verdicts: Record<string, number> }

/** The simulated hive the replay drives: in-process nodes (this file) or live daemons on 127.0.0.1 (replay-live.ts). */
export interface ReplayHive {
  trackers: StoreTracker[]
  record: (node: number, rows: Row[]) => void
  /** every node publishes its delta; returns once every node holds every envelope */
  exchange: (round: number) => Promise<ExchangeReport>
  close: () => Promise<void>
}

export const verdictName = (v: { verdict: string, rule?: string }): string => v.verdict === 'accepted' ? 'accepted' : `${v.verdict} ${v.rule ?? ''}`.trim()

/** One in-process node: a real store in its own data dir, with its own Ed25519 identity. */
export interface MemoryNode { tracker: StoreTracker, sharing: Sharing, receiver: Receiver }

export async function openMemoryNode (o: { dataDir: string, now: () => number, windowDays?: number, minSamples?: number }): Promise<MemoryNode> {
  const privateKey = await generateKeyPair('Ed25519')
  const tracker = openTracker({ dataDir: o.dataDir, now: o.now, windowDays: o.windowDays, minSamples: o.minSamples })
  try {
    tracker.store.exchange.bindSelf(peerIdFromPrivateKey(privateKey).toString())
  } catch (err) {
    tracker.close()
    throw err
  }
  // throwaway keys: R24 (identity work) off
  return { tracker, sharing: createSharing({ store: tracker.store, privateKey, now: o.now }), receiver: createReceiver({ store: tracker.store, workBits: 0, now: o.now }) }
}

const emptyReport = (): ExchangeReport => ({ published: 0, delivered: 0, envelopes: 0, verdicts: {} })

function deliver (to: MemoryNode, bytes: Uint8Array, report: ExchangeReport): void {
  const name = verdictName(to.receiver.receive(bytes))
  report.verdicts[name] = (report.verdicts[name] ?? 0) + 1
  report.delivered += bytes.length
}

/**
 * The file/gossip path without the network: each node exports a signed delta, every other node
 * validates and merges each envelope (receiver.receive). With `filesDir`, the envelopes go
 * through DIR/envelopes/round-RR/node-NN.env (the envelope-file format of `export-delta`).
 */
export async function exchangeDeltas (nodes: MemoryNode[], round: number, filesDir?: string): Promise<ExchangeReport> {
  const report = emptyReport()
  const dir = filesDir === undefined ? undefined : join(filesDir, 'envelopes', `round-${pad(round)}`)
  if (dir !== undefined) mkdirSync(dir, { recursive: true })
  // each node's delta, and the file it went through when there are files
  const outbox = nodes.map((n, i) => {
    const envelopes = n.sharing.export('delta')?.envelopes ?? []
    const file = dir === undefined ? undefined : join(dir, `node-${pad(i + 1)}.env`)
    if (file !== undefined) writeEnvelopeFile(file, envelopes)
    return { envelopes, file }
  })
  for (const [i, { envelopes, file }] of outbox.entries()) {
    report.published += envelopes.reduce((s, e) => s + e.length, 0)
    report.envelopes += envelopes.length
    for (const [j, to] of nodes.entries()) {
      if (j === i) continue
      for (const bytes of file === undefined ? envelopes : await readEnvelopeFile(file)) deliver(to, bytes, report)
    }
  }
  return report
}

/**
 * A node joining late catches up as it would over /hivebench/sync/1.0.0, without the network:
 * it sends `from` what it holds per origin, `from` answers with every stored envelope it lacks
 * (hive/sync-answers.ts), and it validates and merges each one like a gossiped envelope.
 */
export function syncFrom (to: MemoryNode, from: MemoryNode, hive = 'sync'): ExchangeReport {
  const report = emptyReport()
  for (const bytes of envelopesLacked(from.tracker.store.exchange, hive, syncRequestOf(to.tracker.store.exchange, hive))) deliver(to, bytes, report)
  return report
}

/** N nodes in this process, each with its own data dir and Ed25519 identity, exchanging deltas (exchangeDeltas). */
export async function openMemoryHive (o: { nodes: number, dataDir: string, nowMs: number, windowDays: number, minSamples: number, filesDir?: string }): Promise<ReplayHive> {
  const now = (): number => o.nowMs
  const nodes: MemoryNode[] = []
  const close = async (): Promise<void> => { for (const n of nodes.splice(0)) n.tracker.close() }
  try {
    for (let i = 0; i < o.nodes; i++) nodes.push(await openMemoryNode({ dataDir: join(o.dataDir, `node-${i + 1}`), now, windowDays: o.windowDays, minSamples: o.minSamples }))
  } catch (err) {
    await close()
    throw err
  }
  return {
    trackers: nodes.map(n => n.tracker),
    record: (node, rows) => { if (rows.length > 0) at(nodes, node, 'node').tracker.recordBatch(rows) },
    exchange: async round => await exchangeDeltas(nodes, round, o.filesDir),
    close
  }
}

export const pad = (i: number): string => String(i).padStart(2, '0')
