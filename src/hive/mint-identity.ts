import { StateError } from '../errors.js'
import { identityWork, mintSeed } from '../protocol/identity-work.js'
import { replaceIdentity, resolveDataDir } from '../store/index.js'
import { readDaemonFile } from './daemon-file.js'
import { readOriginPolicy, updateOriginPolicy } from './origin-policy.js'
import { openLocalNode } from './local-node.js'
import { resolveWorkBits } from './work-bits.js'

export interface MintReport {
  dataDir: string
  /** the hive's identity work the key must carry (R24) */
  workBits: number
  /** the identity before; equal to `peerId` when it already carried the work */
  previousPeerId: string
  peerId: string
  /** the work the key carries now */
  work: number
  minted: boolean
  /** the old key's copy (only when minted) */
  backup?: string
  /** the new origin's first seq (only when minted) */
  seqEpoch?: number
  /** key generations and seconds the mint took (only when minted) */
  tries?: number
  seconds?: number
}

/**
 * Re-keys a data dir whose identity lacks the hive's identity work (`hivebench id --mint`):
 * peers requiring the work refuse every envelope of the old key (R24). Mints a key with the
 * work, keeps the old one as a backup, gives this node's origin the new peer id with a new
 * seq epoch (store: rebindSelf), and denies the old peer id (R9), so its envelopes, still held by
 * peers, never come back as a peer's. Its counters stay; peers learn them from the next snapshot, as
 * a new origin. Refused while a daemon runs on the data dir (it holds the old key).
 */
export async function mintIdentity (options: { dataDir?: string, workBits?: number, now?: () => number }): Promise<MintReport> {
  const dataDir = resolveDataDir(options.dataDir)
  const workBits = resolveWorkBits(options.workBits)
  const running = readDaemonFile(dataDir)
  if (running !== null) throw new StateError('DAEMON_RUNNING', `a hivebench daemon (pid ${running.pid}) runs on ${dataDir} with the current key: stop it, run \`hivebench id --mint\`, then start it again`)
  const node = await openLocalNode({ dataDir, workBits, now: options.now })
  try {
    const current = node.identity
    const work = identityWork(current.privateKey.publicKey.raw)
    if (work >= workBits) return { dataDir, workBits, previousPeerId: current.peerId, peerId: current.peerId, work, minted: false }
    const t0 = performance.now()
    const minted = mintSeed(workBits)
    const seconds = (performance.now() - t0) / 1000
    // the old key's envelopes still circulate: this node must never merge its old self as a peer.
    // Denied first, so a crash in the steps below cannot leave the old self mergeable.
    updateOriginPolicy(dataDir, { deny: [...readOriginPolicy(dataDir).deny ?? [], current.peerId] })
    const { identity, backup } = await replaceIdentity(dataDir, minted.seed)
    const seqEpoch = node.tracker.store.exchange.rebindSelf(identity.peerId, (options.now ?? Date.now)())
    return { dataDir, workBits, previousPeerId: current.peerId, peerId: identity.peerId, work: identityWork(minted.publicKey), minted: true, backup, seqEpoch, tries: minted.tries, seconds }
  } finally {
    node.close()
  }
}
