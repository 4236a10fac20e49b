import { at as item } from './lists.js'
import { rng } from './measure.js'

/**
 * An in-process model of gossipsub v1.2 as @libp2p/gossipsub 17 runs it (its defaults) for one hive topic:
 * a mesh of degree D over a random graph, eager forwarding of a message to mesh peers after it
 * is validated, seen-cache dedup (seenTTL), IDONTWANT to mesh peers on first receipt of a
 * message over `idontwantMinBytes`, and lazy gossip: every heartbeat, IHAVE with the ids cached
 * in the last `historyGossip` heartbeats to max(D_lazy, gossipFactor x non-mesh) non-mesh
 * peers, answered by IWANT and the message. Each node validates one message at a time (a busy
 * node queues). Not modelled: mesh maintenance (GRAFT/PRUNE: the mesh is fixed), peer scoring,
 * churn, bandwidth limits, TCP/yamux/noise framing (a fixed per-frame overhead stands in).
 */
export interface GossipModelOptions {
  nodes: number
  /** mesh degree (gossipsub D) */
  d: number
  /** gossip degree (gossipsub D_lazy) and the factor of non-mesh peers gossiped to */
  dLazy: number
  gossipFactor: number
  /** connected peers outside the mesh, per node */
  nonMeshPeers: number
  heartbeatMs: number
  historyGossip: number
  seenTtlMs: number
  idontwantMinBytes: number
  /** one-way link latency, uniform in [min, max] ms, fixed per link */
  latencyMs: [number, number]
  /** validate + merge time of one message (µs), from the calibration on this machine */
  processUs: (m: ModelMessage) => number
  /** cost of a receipt the seen cache drops (hashing it for its id), µs */
  duplicateUs: (m: ModelMessage) => number
  seed: number
}

export const GOSSIPSUB_DEFAULTS = {
  d: 6, dLazy: 6, gossipFactor: 0.25, nonMeshPeers: 6, heartbeatMs: 1000, historyGossip: 3, seenTtlMs: 120_000, idontwantMinBytes: 512, latencyMs: [5, 50] as [number, number]
}

/** Bytes gossipsub adds around a message (RPC protobuf with the topic, length prefix, stream framing). */
export const MESSAGE_OVERHEAD = 64
/** Bytes per message id in IHAVE / IWANT / IDONTWANT (sha256 + protobuf tag and length). */
export const ID_BYTES = 34
/** Bytes of one control RPC around its ids (topic, tags, length prefix, stream framing). */
export const CONTROL_OVERHEAD = 48

export interface ModelMessage { origin: number, atMs: number, bytes: number, entries: number }

export interface NodeTally {
  rxBytes: number
  txBytes: number
  /** first receipts (validated and merged) */
  delivered: number
  /** receipts dropped by the seen cache */
  duplicates: number
  /** receipts after seenTTL expired (validated again; the merge ignores them, R22) */
  expiredRepeats: number
  cpuUs: number
}

export interface GossipResult {
  nodes: NodeTally[]
  /** per message: ms from publish until the last node validated it; Infinity if some node never got it */
  convergenceMs: number[]
  /** per message, how many nodes hold it (the origin included) */
  reached: number[]
  bytesByKind: { message: number, ihave: number, iwant: number, idontwant: number }
}

/** Binary min-heap of events keyed by time. */
class EventQueue<T extends { t: number }> {
  private readonly items: T[] = []
  get size (): number { return this.items.length }
  /** The item at a heap index the caller has checked against the length. */
  private at (i: number): T {
    return item(this.items, i, 'heap slot')
  }

  private swap (i: number, j: number): void {
    const a = this.items
    ;[a[i], a[j]] = [this.at(j), this.at(i)]
  }

  push (x: T): void {
    this.items.push(x)
    let i = this.items.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (this.at(p).t <= this.at(i).t) break
      this.swap(p, i)
      i = p
    }
  }

  pop (): T {
    const a = this.items
    const top = this.at(0)
    const last = this.at(a.length - 1)
    a.pop()
    if (a.length > 0) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && this.at(l).t < this.at(m).t) m = l
        if (r < a.length && this.at(r).t < this.at(m).t) m = r
        if (m === i) break
        this.swap(m, i)
        i = m
      }
    }
    return top
  }
}

/** A random graph: each node's mesh of up to `d` peers and `extra` other connected peers, links symmetric. */
export function randomTopology (nodes: number, d: number, extra: number, random: () => number): { mesh: number[][], others: number[][] } {
  const link = (sets: Array<Set<number>>, degree: number, avoid: Array<Set<number>>): void => {
    for (let round = 0; round < 20; round++) {
      let added = false
      for (const [a, linked] of sets.entries()) {
        if (linked.size >= degree) continue
        for (let tries = 0; tries < 8 && linked.size < degree; tries++) {
          const b = Math.floor(random() * nodes)
          const other = item(sets, b, 'node')
          if (b === a || other.size >= degree || linked.has(b) || item(avoid, a, 'node').has(b)) continue
          linked.add(b); other.add(a)
          added = true
        }
      }
      if (!added) break
    }
  }
  const mesh = Array.from({ length: nodes }, () => new Set<number>())
  const none = Array.from({ length: nodes }, () => new Set<number>())
  link(mesh, Math.min(d, nodes - 1), none)
  const others = Array.from({ length: nodes }, () => new Set<number>())
  link(others, Math.min(extra, Math.max(0, nodes - 1 - d)), mesh)
  return { mesh: mesh.map(s => [...s]), others: others.map(s => [...s]) }
}

type Event =
  | { t: number, kind: 'msg', to: number, from: number, id: number }
  | { t: number, kind: 'validated', at: number, from: number, id: number }
  | { t: number, kind: 'ihave', to: number, from: number, ids: number[] }
  | { t: number, kind: 'iwant', to: number, from: number, ids: number[] }
  | { t: number, kind: 'idontwant', to: number, from: number, id: number }
  | { t: number, kind: 'heartbeat', at: number }
  | { t: number, kind: 'publish', id: number }

interface NodeState {
  tally: NodeTally
  mesh: number[]
  others: number[]
  /** id -> first seen ms */
  seen: Map<number, number>
  requested: Set<number>
  /** key: peer * messages + id */
  dontWant: Set<number>
  mcache: Array<{ id: number, heartbeats: number }>
  heartbeatPending: boolean
  phase: number
  busyUntil: number
}

export function simulateGossip (o: GossipModelOptions, messages: ModelMessage[]): GossipResult {
  const random = rng(o.seed)
  const { mesh, others } = randomTopology(o.nodes, o.d, o.nonMeshPeers, random)
  const latency = new Map<number, number>()
  const linkMs = (a: number, b: number): number => {
    const key = Math.min(a, b) * o.nodes + Math.max(a, b)
    let ms = latency.get(key)
    if (ms === undefined) { ms = o.latencyMs[0] + random() * (o.latencyMs[1] - o.latencyMs[0]); latency.set(key, ms) }
    return ms
  }
  const tally: NodeTally[] = Array.from({ length: o.nodes }, () => ({ rxBytes: 0, txBytes: 0, delivered: 0, duplicates: 0, expiredRepeats: 0, cpuUs: 0 }))
  const states: NodeState[] = tally.map((t, i) => ({
    tally: t,
    mesh: item(mesh, i, 'node'),
    others: item(others, i, 'node'),
    seen: new Map(),
    requested: new Set(),
    dontWant: new Set(),
    mcache: [],
    heartbeatPending: false,
    phase: random() * o.heartbeatMs,
    busyUntil: 0
  }))
  const node = (i: number): NodeState => item(states, i, 'node')
  const sims = messages.map(m => ({ m, lastValidated: m.atMs, reached: 1 }))
  const sim = (id: number): { m: ModelMessage, lastValidated: number, reached: number } => item(sims, id, 'message')
  const bytesByKind = { message: 0, ihave: 0, iwant: 0, idontwant: 0 }
  const q = new EventQueue<Event>()
  const M = messages.length

  const send = (from: number, to: number, bytes: number, kind: keyof typeof bytesByKind, now: number): number => {
    node(from).tally.txBytes += bytes
    node(to).tally.rxBytes += bytes
    bytesByKind[kind] += bytes
    return now + linkMs(from, to)
  }
  const sendMessage = (from: number, to: number, id: number, now: number): void => {
    q.push({ t: send(from, to, sim(id).m.bytes + MESSAGE_OVERHEAD, 'message', now), kind: 'msg', to, from, id })
  }
  const forward = (at: number, except: number, id: number, now: number): void => {
    const n = node(at)
    for (const p of n.mesh) {
      if (p === except || p === sim(id).m.origin || n.dontWant.has(p * M + id)) continue
      sendMessage(at, p, id, now)
    }
    n.mcache.push({ id, heartbeats: 0 })
    scheduleHeartbeat(at, now)
  }
  const scheduleHeartbeat = (at: number, now: number): void => {
    const n = node(at)
    if (n.heartbeatPending) return
    n.heartbeatPending = true
    const next = n.phase + Math.ceil((now - n.phase) / o.heartbeatMs + 1e-9) * o.heartbeatMs
    q.push({ t: next, kind: 'heartbeat', at })
  }

  messages.forEach((m, id) => { q.push({ t: m.atMs, kind: 'publish', id }) })

  while (q.size > 0) {
    const e = q.pop()
    switch (e.kind) {
      case 'publish': {
        const { origin } = sim(e.id).m
        node(origin).seen.set(e.id, e.t)
        forward(origin, -1, e.id, e.t)
        break
      }
      case 'msg': {
        const to = node(e.to)
        const { m } = sim(e.id)
        const first = to.seen.get(e.id)
        if (first !== undefined && e.t - first < o.seenTtlMs) {
          to.tally.duplicates++
          to.tally.cpuUs += o.duplicateUs(m)
          break
        }
        if (first !== undefined) to.tally.expiredRepeats++
        to.seen.set(e.id, e.t)
        to.requested.delete(e.id)
        // v1.2: tell the other mesh peers not to send it (before validating, as @libp2p/gossipsub does)
        if (m.bytes >= o.idontwantMinBytes) {
          for (const p of to.mesh) {
            if (p !== e.from) q.push({ t: send(e.to, p, ID_BYTES + CONTROL_OVERHEAD, 'idontwant', e.t), kind: 'idontwant', to: p, from: e.to, id: e.id })
          }
        }
        const cost = o.processUs(m)
        const start = Math.max(e.t, to.busyUntil)
        to.busyUntil = start + cost / 1000
        to.tally.cpuUs += cost
        q.push({ t: to.busyUntil, kind: 'validated', at: e.to, from: e.from, id: e.id })
        break
      }
      case 'validated': {
        const s = sim(e.id)
        node(e.at).tally.delivered++
        s.reached++
        s.lastValidated = Math.max(s.lastValidated, e.t)
        forward(e.at, e.from, e.id, e.t)
        break
      }
      case 'idontwant':
        node(e.to).dontWant.add(e.from * M + e.id)
        break
      case 'heartbeat': {
        const n = node(e.at)
        n.heartbeatPending = false
        const cache = n.mcache
        const ids = cache.map(c => c.id)
        for (const c of cache) c.heartbeats++
        n.mcache = cache.filter(c => c.heartbeats < o.historyGossip)
        const pool = n.others
        const targets = Math.max(o.dLazy, Math.floor(o.gossipFactor * pool.length))
        const chosen = pool.length <= targets ? pool : [...pool].sort(() => random() - 0.5).slice(0, targets)
        for (const p of chosen) {
          q.push({ t: send(e.at, p, CONTROL_OVERHEAD + ids.length * ID_BYTES, 'ihave', e.t), kind: 'ihave', to: p, from: e.at, ids })
        }
        if (n.mcache.length > 0) scheduleHeartbeat(e.at, e.t)
        break
      }
      case 'ihave': {
        const to = node(e.to)
        const want = e.ids.filter(id => !to.seen.has(id) && !to.requested.has(id))
        if (want.length === 0) break
        for (const id of want) to.requested.add(id)
        q.push({ t: send(e.to, e.from, CONTROL_OVERHEAD + want.length * ID_BYTES, 'iwant', e.t), kind: 'iwant', to: e.from, from: e.to, ids: want })
        break
      }
      case 'iwant': {
        const to = node(e.to)
        for (const id of e.ids) if (to.seen.has(id)) sendMessage(e.to, e.from, id, e.t)
        break
      }
    }
  }
  return {
    nodes: tally,
    convergenceMs: sims.map(s => s.reached === o.nodes ? s.lastValidated - s.m.atMs : Infinity),
    reached: sims.map(s => s.reached),
    bytesByKind
  }
}
