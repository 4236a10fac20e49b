import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { RankPolicy } from '../../src/core/ranking.js'
import { dayOf } from '../../src/core/time.js'
import { emptyCounters, type CounterEntry } from '../../src/core/types.js'
import { createReceiver, type Receiver } from '../../src/hive/receive.js'
import { createSharing, type Sharing } from '../../src/hive/sharing.js'
import { encodeEnvelope } from '../../src/protocol/index.js'
import { openTracker, type StoreTracker as Tracker } from '../../src/tracker.js'
import type { OriginBounds } from '../../src/store/index.js'
import { at } from './lists.js'
import { armKey, armOf, deal, shuffle, type Row } from './replay-data.js'
import { rng } from './measure.js'

/**
 * The poisoning evaluation's hive (npm run eval:poison): the outcome file shuffled and dealt to
 * `origins` honest nodes; the victim is honest node 1, which records its own hand and merges
 * the others' signed snapshots through the real receive path (validation, merge, rollup).
 */
export interface HonestHive {
  /** each other honest origin's snapshot envelopes, as published */
  envelopes: Uint8Array[][]
  victimRows: Row[]
  victimKey: Ed25519PrivateKey
}

export async function buildHonestHive (rows: Row[], origins: number, seed: number, nowMs: number, dir: string): Promise<HonestHive> {
  // one round of one hand per origin: the victim's first, then the honest origins 1..origins-1
  const [victimRows = [], ...honestHands] = at(deal(shuffle(rows, rng(seed)), origins, 1), 0, 'round')
  const envelopes: Uint8Array[][] = []
  for (const [k, hand] of honestHands.entries()) {
    const node = await openNode(join(dir, `honest-${k + 1}`), nowMs, await generateKeyPair('Ed25519'))
    node.tracker.recordBatch(hand)
    envelopes.push(node.sharing.export('snapshot')?.envelopes ?? [])
    node.tracker.close()
  }
  return { envelopes, victimRows, victimKey: await generateKeyPair('Ed25519') }
}

export interface Node {
  tracker: Tracker
  sharing: Sharing
  receiver: Receiver
  /** moves the node's clock (what it receives is dated by it, and origins age by it) */
  setNow: (ms: number) => void
}

async function openNode (dataDir: string, nowMs: number, privateKey: Ed25519PrivateKey, rankPolicy?: Partial<RankPolicy>, originBounds?: Partial<OriginBounds>): Promise<Node> {
  let clock = nowMs
  const now = (): number => clock
  const tracker = openTracker({ dataDir, now, rankPolicy })
  tracker.store.exchange.bindSelf(peerIdFromPrivateKey(privateKey).toString())
  // throwaway attacker keys carry no identity work (R24 off); its cost is measured apart
  return { tracker, sharing: createSharing({ store: tracker.store, privateKey, now }), receiver: createReceiver({ store: tracker.store, now, workBits: 0, originBounds }), setNow: ms => { clock = ms } }
}

/** Honest origins the victim first sees later than the others (they joined the hive after it). */
export interface LateOrigins { count: number, atMs: number }

/**
 * A fresh victim holding the honest hive, ranking with `policy` (and merging within
 * `originBounds`, default the protocol's); with `late`, the last `late.count` honest origins are
 * merged at `late.atMs` (the clock is left there), the others at `nowMs`.
 */
export async function openVictim (hive: HonestHive, policy: Partial<RankPolicy>, nowMs: number, parent: string, originBounds?: Partial<OriginBounds>, late?: LateOrigins): Promise<Node> {
  const victim = await openNode(mkdtempSync(join(parent, 'victim-')), nowMs, hive.victimKey, policy, originBounds)
  victim.tracker.recordBatch(hive.victimRows)
  hive.envelopes.forEach((list, i) => {
    if (late !== undefined && i === hive.envelopes.length - late.count) victim.setNow(late.atMs)
    for (const bytes of list) {
      const v = victim.receiver.receive(bytes)
      if (v.verdict !== 'accepted') throw new Error(`honest envelope not accepted: ${JSON.stringify(v)}`)
    }
  })
  return victim
}

/** One claim of an attacking identity: `pass` passes out of `n` on an arm. */
export interface Claim { taskType: string, arm: string, n: number, pass: number }

/** One validly signed snapshot from `key` carrying every claim (day = today). */
export function attackEnvelope (key: Ed25519PrivateKey, claims: Claim[], nowMs: number): Uint8Array {
  const entries: CounterEntry[] = claims.map(c => {
    const { tool, model } = armOf(c.arm)
    return { ...emptyCounters(), taskType: c.taskType, tool, model, day: dayOf(nowMs), n: c.n, pass: c.pass, grader_fail: c.n - c.pass }
  })
  return encodeEnvelope({ seq: 1, kind: 'snapshot', createdAtMs: nowMs, entries }, key)
}

/** The victim's hive best per task type, as an arm key (null: none benchmarked). */
export function bestArms (victim: Node, taskTypes: string[]): Map<string, string | null> {
  return new Map(taskTypes.map(t => {
    const best = victim.tracker.best(t).best
    return [t, best === null ? null : armKey(best.tool, best.model)]
  }))
}

/** The victim's benchmarked arms per task type, best first. */
export function benchmarkedArms (victim: Node, taskTypes: string[]): Map<string, string[]> {
  return new Map(taskTypes.map(t => [t, victim.tracker.best(t).ranking.filter(a => a.benchmarked).map(a => armKey(a.tool, a.model))]))
}
