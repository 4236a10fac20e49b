import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ed25519KeyOfPeerId } from '../core/peer-id-text.js'
import { errorMessage, StateError, ValidationError } from '../errors.js'
import { identityWork } from '../protocol/identity-work.js'
import type { Db } from '../store/index.js'

/**
 * The operator's word on origins, kept in `<data dir>/origin-policy.json` so that every path
 * into this data dir (the daemon, `import-delta`, the CLI's queries) applies the same policy:
 * - allow: when set, only these origins are merged (R9) and counted;
 * - trust: when set, only these origins (and this node) count in the hive ranking; the others
 *   are still merged, kept and listed by `peers`, so trusting them later needs no re-sync;
 * - deny: origins this node forgot (`hivebench forget`): never merged again, never counted.
 * The policy applies to what is already stored too: the ranking leaves out stored origins it
 * excludes (and those whose keys lack the hive's identity work, R24), without deleting them.
 */
export interface OriginPolicy {
  allow?: string[]
  trust?: string[]
  deny?: string[]
}

export const ORIGIN_POLICY_FILE = 'origin-policy.json'
const fileOf = (dataDir: string): string => join(dataDir, ORIGIN_POLICY_FILE)

export function readOriginPolicy (dataDir: string): OriginPolicy {
  let text: string
  try {
    text = readFileSync(fileOf(dataDir), 'utf8')
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return {}
    throw new StateError('POLICY_UNREADABLE', `cannot read ${fileOf(dataDir)}: ${errorMessage(err)}`, { cause: err })
  }
  try {
    const policy = JSON.parse(text) as OriginPolicy
    for (const field of ['allow', 'trust', 'deny'] as const) {
      const list = policy[field]
      if (list !== undefined && !(Array.isArray(list) && list.every(p => typeof p === 'string'))) throw new Error(`${field} must be a list of peer ids`)
    }
    return policy
  } catch (err) {
    throw new StateError('POLICY_CORRUPT', `${fileOf(dataDir)} is not a valid origin policy (${errorMessage(err)}); fix or delete it`, { cause: err })
  }
}

/** Replaces the fields given (a field set to undefined is left as it was); written atomically. */
export function updateOriginPolicy (dataDir: string, change: OriginPolicy): OriginPolicy {
  const next = { ...readOriginPolicy(dataDir) }
  for (const field of ['allow', 'trust', 'deny'] as const) {
    const list = change[field]
    if (list !== undefined) next[field] = [...new Set(list.map(p => checkPeerId(p, field)))].sort()
  }
  const temporary = `${fileOf(dataDir)}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 })
  renameSync(temporary, fileOf(dataDir))
  return next
}

/** A trust file: one peer id per line; blank lines and `#` comments are skipped. */
export function readTrustFile (path: string): string[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ValidationError('trust', 'file', `cannot read ${path}: ${errorMessage(err)}`)
  }
  return text.split('\n').map(l => l.replace(/#.*/, '').trim()).filter(l => l !== '').map(p => checkPeerId(p, 'trust'))
}

function checkPeerId (peerId: string, field: string): string {
  if (ed25519KeyOfPeerId(peerId) === null) throw new ValidationError(field, 'peer_id', `${JSON.stringify(peerId)} is not an Ed25519 peer id`)
  return peerId
}

/** Whether `peerId`'s envelopes may be merged (R9). */
export function mergeAllowed (policy: OriginPolicy, peerId: string): boolean {
  return (policy.allow === undefined || policy.allow.includes(peerId)) && policy.deny?.includes(peerId) !== true
}

/**
 * The stored origins (store numbers) the hive ranking leaves out: not allowed, denied, not
 * trusted (when a trust list is set), or lacking the hive's identity work. Recomputed only when
 * the origins table changes.
 */
export function createViewExclusion (db: Db, policy: OriginPolicy, workBits: number): () => ReadonlySet<number> {
  const trust = policy.trust === undefined ? undefined : new Set(policy.trust)
  const rows = db.prepare<[], { id: number, peer_id: string }>('SELECT id, peer_id FROM origins WHERE id > 0 AND peer_id IS NOT NULL')
  const count = db.prepare<[], { n: number, top: number | null }>('SELECT COUNT(*) AS n, MAX(id) AS top FROM origins')
  const workOf = new Map<string, number>()
  let key = ''
  let excluded: ReadonlySet<number> = new Set()
  const excludes = (peerId: string): boolean => {
    if (!mergeAllowed(policy, peerId) || (trust !== undefined && !trust.has(peerId))) return true
    if (workBits <= 0) return false
    let work = workOf.get(peerId)
    if (work === undefined) {
      work = identityWork(ed25519KeyOfPeerId(peerId) ?? new Uint8Array())
      workOf.set(peerId, work)
    }
    return work < workBits
  }
  return () => {
    const c = count.get() as { n: number, top: number | null }
    const now = `${c.n}:${c.top ?? 0}`
    if (now !== key) {
      excluded = new Set(rows.all().filter(r => excludes(r.peer_id)).map(r => r.id))
      key = now
    }
    return excluded
  }
}
