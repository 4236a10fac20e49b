import { randomBytes } from 'node:crypto'
import { chmod, link, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { errorMessage, StateError } from '../errors.js'
import { ensureDataDir } from './data-dir.js'
import { fsyncDirectory } from './durable.js'
import type { Ed25519PrivateKey, PrivateKey } from '@libp2p/interface'

/**
 * The node's persistent Ed25519 identity (ARCHITECTURE.md, "Identity"). It must survive restarts: a node
 * that changes identity double-counts itself in every peer. So an unreadable or corrupt key
 * file is an error for the user to resolve, never a reason to mint a new identity.
 */

export const IDENTITY_FILE = 'identity.key'

export interface Identity {
  privateKey: Ed25519PrivateKey
  peerId: string
  /** the key file's mode was looser than 0600 and has been tightened: worth a warning */
  tightenedFromMode?: number
  /** the key was created by this call (a new node), rather than loaded */
  created?: boolean
}

export interface IdentityOptions {
  /**
   * The 32-byte Ed25519 seed of a new identity; default random. The node passes one minted
   * with the hive's identity work (R24, protocol/identity-work.ts: the store does not import
   * protocol/). An existing key is loaded as it is, with or without the work: it keeps serving
   * its own node (see README, "Identity cost", for re-keying).
   */
  newSeed?: () => Uint8Array
}

const randomSeed = (): Uint8Array => randomBytes(32)

/**
 * libp2p's key and peer-id code, loaded on first use (~60 ms): the store's face (store/index.ts)
 * re-exports this module, and commands that only read or record counters never need a key.
 */
async function keyCode (): Promise<typeof import('@libp2p/crypto/keys') & Pick<typeof import('@libp2p/peer-id'), 'peerIdFromPrivateKey'>> {
  const [keys, ids] = await Promise.all([import('@libp2p/crypto/keys'), import('@libp2p/peer-id')])
  return { ...keys, peerIdFromPrivateKey: ids.peerIdFromPrivateKey }
}

/** Loads `<dataDir>/identity.key`, creating it (mode 0600) on first use. Throws StateError if it exists but cannot be used. */
export async function loadOrCreateIdentity (dataDir: string, options: IdentityOptions = {}): Promise<Identity> {
  const path = join(ensureDataDir(dataDir), IDENTITY_FILE)
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') {
      throw new StateError('IDENTITY_UNREADABLE', `cannot read the node identity ${path}: ${errorMessage(err)}; fix its permissions or restore it (deleting it gives this node a new peer id)`, { cause: err })
    }
    return await createIdentity(path, options.newSeed ?? randomSeed)
  }
  const privateKey = await parseKey(bytes, path)
  const tightenedFromMode = await tightenMode(path)
  const { peerIdFromPrivateKey } = await keyCode()
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString(), ...(tightenedFromMode === undefined ? {} : { tightenedFromMode }) }
}

async function parseKey (bytes: Uint8Array, path: string): Promise<Ed25519PrivateKey> {
  const { privateKeyFromProtobuf, generateKeyPairFromSeed } = await keyCode()
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new StateError('IDENTITY_CORRUPT', `the node identity ${path} is not a valid libp2p private key (${errorMessage(err)}); restore it from a backup (deleting it gives this node a new peer id)`, { cause: err })
  }
  if (key.type !== 'Ed25519') {
    throw new StateError('IDENTITY_CORRUPT', `the node identity ${path} holds a ${key.type} key; hivebench needs Ed25519`)
  }
  // the file stores seed and public key side by side and nothing checks they belong together:
  // a damaged half would sign with one key while claiming another peer id
  const fromSeed = await generateKeyPairFromSeed('Ed25519', key.raw.subarray(0, 32))
  if (!fromSeed.publicKey.equals(key.publicKey)) {
    throw new StateError('IDENTITY_CORRUPT', `the node identity ${path} is damaged: its public key does not match its private key; restore it from a backup`)
  }
  return key
}

/**
 * Replaces the node's identity with one from `seed` (`hivebench id --mint`). The old key stays
 * beside it as `identity.key.<old peer id>.bak` (a hard link, made before the swap), and the new
 * one is written to a private temporary file and renamed over identity.key: a crash leaves one
 * of the two keys in place, never a half-written one.
 */
export async function replaceIdentity (dataDir: string, seed: Uint8Array): Promise<{ identity: Identity, previous: Identity, backup: string }> {
  const previous = await loadOrCreateIdentity(dataDir)
  const path = join(dataDir, IDENTITY_FILE)
  const backup = `${path}.${previous.peerId}.bak`
  const { generateKeyPairFromSeed, privateKeyToProtobuf, peerIdFromPrivateKey } = await keyCode()
  const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await link(path, backup).catch(err => { if (errorCode(err) !== 'EEXIST') throw err })
    await writePrivateFile(temporary, privateKeyToProtobuf(privateKey))
    await rename(temporary, path)
    fsyncDirectory(dataDir)
  } catch (err) {
    await unlink(temporary).catch(() => {})
    throw new StateError('IDENTITY_UNWRITABLE', `cannot replace the node identity ${path}: ${errorMessage(err)}`, { cause: err })
  }
  return { identity: { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString(), created: true }, previous, backup }
}

/** A new owner-only file with these bytes, on disk before it returns (the caller links or renames it into place). */
async function writePrivateFile (path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx', 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Owner-only: the key is the node's voice in the hive. */
async function tightenMode (path: string): Promise<number | undefined> {
  const mode = (await stat(path)).mode & 0o777
  if ((mode & 0o077) === 0) return undefined
  await chmod(path, 0o600)
  return mode
}

/**
 * Writes a new key to a private temporary file, then links it into place: link() fails if the
 * file exists, so two processes starting at once cannot both create an identity, and a crash
 * mid-write never leaves a half-written key under the real name.
 */
async function createIdentity (path: string, newSeed: () => Uint8Array): Promise<Identity> {
  const { generateKeyPairFromSeed, privateKeyToProtobuf, peerIdFromPrivateKey } = await keyCode()
  const privateKey = await generateKeyPairFromSeed('Ed25519', newSeed())
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writePrivateFile(temporary, privateKeyToProtobuf(privateKey))
    await link(temporary, path)
    // the key must not vanish in a power cut after peers have seen its peer id
    fsyncDirectory(dirname(path))
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return await loadOrCreateIdentity(dirname(path), { newSeed })
    throw new StateError('IDENTITY_UNWRITABLE', `cannot create the node identity ${path}: ${errorMessage(err)}`, { cause: err })
  } finally {
    await unlink(temporary).catch(() => {})
  }
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString(), created: true }
}

function errorCode (err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined
}
