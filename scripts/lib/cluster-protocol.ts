/**
 * The IPC protocol between scripts/bench-cluster.ts (parent) and scripts/cluster-node.ts (one
 * child process per node), over the child_process.fork channel (JSON serialisation).
 *
 * Parent -> child: { id, req }; child -> parent: { id, ok: true, result } or { id, ok: false, error },
 * and once at boot { ready: true } when the modules are loaded.
 *
 * Times are wall-clock milliseconds with sub-millisecond resolution (performance.timeOrigin +
 * performance.now()), comparable across processes on one machine.
 */

export interface Fingerprint {
  /** rows of the counters table (one per origin x key x day) */
  rows: number
  /** sum of n over those rows */
  sumN: number
}

export interface Traffic {
  atMs: number
  /** TCP payload bytes read / written on every socket libp2p opened (noise + yamux + gossipsub + sync) */
  wireRead: number
  wireWritten: number
  /** signed envelope bytes handed to gossipsub publish (one copy, whatever the fan-out) */
  appPublished: number
  appPublishedMessages: number
  /** envelope bytes that reached validation (gossip and sync), and how many */
  appReceived: number
  appReceivedMessages: number
  /** of which sync response frames */
  syncReceived: number
  /** time spent in sharing.receive (validate + merge), ms */
  receiveMs: number
  /** process CPU time (user + system), ms */
  cpuMs: number
  verdicts: Record<string, number>
}

export interface Requests {
  start: {
    req: { dataDir: string, bootstrap: string[], hive: string, heartbeatMs?: number, exportIntervalS: number, syncIntervalS: number, join?: Fingerprint, /** default 0: only the benchmark exports */ publishDelayS?: number }
    res: { peerId: string, addr: string, startCalledAtMs: number, startedAtMs: number }
  }
  status: { req: Record<string, never>, res: { connected: number, topic: number, mesh: number } }
  record: {
    req: { keys: number, outcomes: number, round: number }
    /** this node's own counters after recording (origin 0) */
    res: { recorded: number, own: Fingerprint }
  }
  export: { req: Record<string, never>, res: { completedAtMs: number, ms: number, kind: string, envelopes: number, entries: number, bytes: number, recipients: number } }
  /** resolves when the view reaches `expect` (row count and sum of n, checked after accepted envelopes) */
  watch: { req: { expect: Fingerprint, timeoutMs: number }, res: { atMs: number } }
  view: { req: Record<string, never>, res: Fingerprint & { hash: string, hashMs: number, atMs: number } }
  traffic: { req: Record<string, never>, res: Traffic }
  import: { req: { files: string[] }, res: { accepted: number, ignored: number, rejected: number, ms: number } }
  storage: {
    req: Record<string, never>
    res: {
      dbBytes: number
      /** page bytes per table/index (SQLite dbstat) */
      tables: Record<string, number>
      peerRows: number
      envelopes: number
      envelopeBytes: number
      origins: number
      digestBytes: number
    }
  }
  /** for a node started with `join`: resolves once it has connected and its view reached the target */
  join: {
    req: { timeoutMs: number }
    res: {
      connectedAtMs: number
      syncStartedAtMs: number | null
      syncFramesAtMs: number | null
      convergedAtMs: number
      hash: string
      hashMs: number
      traffic: Traffic
    }
  }
  stop: { req: Record<string, never>, res: { stopped: true } }
  /** records one outcome of this task type (nothing exported: the node's own timers do that) */
  recordOne: { req: { taskType: string, tool: string }, res: { atMs: number } }
  /** resolves when the hive view holds a counter of this task type (checked after accepted envelopes) */
  watchTask: { req: { taskType: string, timeoutMs: number }, res: { atMs: number | null } }
}

export type Command = keyof Requests
export type Request = { [C in Command]: { cmd: C } & Requests[C]['req'] }[Command]
export interface RequestMessage { id: number, req: Request }
export type ReplyMessage =
  | { id: number, ok: true, result: unknown }
  | { id: number, ok: false, error: string }
  | { ready: true }

export const wallMs = (): number => performance.timeOrigin + performance.now()
