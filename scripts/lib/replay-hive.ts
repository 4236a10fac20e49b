import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { readEnvelopeFile, writeEnvelopeFile } from '../../src/hive/envelope-file.js'
import { createSharing, type Sharing } from '../../src/hive/sharing.js'
import { createReceiver, type Receiver } from '../../src/hive/receive.js'
import { openTracker, type Tracker } from '../../src/tracker.js'
import type { Row } from './replay-data.js'

/** What one round's exchange moved: envelope bytes as published (once) and as delivered (once per receiver). */
export interface ExchangeReport { published: number, delivered: number, envelopes: number, verdicts: Record<string, number> }

/** The simulated hive the replay drives: in-process nodes (this file) or live daemons on 127.0.0.1 (replay-live.ts). */
export interface ReplayHive {
  trackers: Tracker[]
  record: (node: number, rows: Row[]) => void
  /** every node publishes its delta; returns once every node holds every envelope */
  exchange: (round: number) => Promise<ExchangeReport>
  close: () => Promise<void>
}

export const verdictName = (v: { verdict: string, rule?: string }): string => v.verdict === 'accepted' ? 'accepted' : `${v.verdict} ${v.rule ?? ''}`.trim()

interface MemoryNode { tracker: Tracker, sharing: Sharing, receiver: Receiver }

/**
 * N nodes in this process, each with its own data dir and Ed25519 identity. The exchange is the
 * file/gossip path without the network: each node exports a signed delta, every other node
 * validates and merges each envelope (receiver.receive). With `filesDir`, the envelopes of round r
 * go through DIR/envelopes/round-RR/node-NN.env (the envelope-file format of `export-delta`).
 */
export async function openMemoryHive (o: { nodes: number, dataDir: string, nowMs: number, windowDays: number, minSamples: number, filesDir?: string }): Promise<ReplayHive> {
  const now = (): number => o.nowMs
  const nodes: MemoryNode[] = []
  const close = async (): Promise<void> => { for (const n of nodes.splice(0)) n.tracker.close() }
  try {
    for (let i = 0; i < o.nodes; i++) {
      const privateKey = await generateKeyPair('Ed25519')
      const tracker = openTracker({ dataDir: join(o.dataDir, `node-${i + 1}`), now, windowDays: o.windowDays, minSamples: o.minSamples })
      nodes.push({ tracker, sharing: createSharing({ store: tracker.store, privateKey, now }), receiver: createReceiver({ store: tracker.store, now }) })
      tracker.store.exchange.bindSelf(peerIdFromPrivateKey(privateKey).toString())
    }
  } catch (err) {
    await close()
    throw err
  }

  const exchange = async (round: number): Promise<ExchangeReport> => {
    const report: ExchangeReport = { published: 0, delivered: 0, envelopes: 0, verdicts: {} }
    const published = nodes.map(n => n.sharing.export('delta')?.envelopes ?? [])
    const files: string[] = []
    if (o.filesDir !== undefined) {
      const dir = join(o.filesDir, 'envelopes', `round-${pad(round)}`)
      mkdirSync(dir, { recursive: true })
      for (let i = 0; i < nodes.length; i++) {
        files[i] = join(dir, `node-${pad(i + 1)}.env`)
        writeEnvelopeFile(files[i], published[i])
      }
    }
    for (let i = 0; i < nodes.length; i++) {
      report.published += published[i].reduce((s, e) => s + e.length, 0)
      report.envelopes += published[i].length
      for (let j = 0; j < nodes.length; j++) {
        if (j === i) continue
        for (const bytes of files[i] === undefined ? published[i] : await readEnvelopeFile(files[i])) {
          const name = verdictName(nodes[j].receiver.receive(bytes))
          report.verdicts[name] = (report.verdicts[name] ?? 0) + 1
          report.delivered += bytes.length
        }
      }
    }
    return report
  }

  return {
    trackers: nodes.map(n => n.tracker),
    record: (node, rows) => { if (rows.length > 0) nodes[node].tracker.recordBatch(rows) },
    exchange,
    close
  }
}

export const pad = (i: number): string => String(i).padStart(2, '0')
