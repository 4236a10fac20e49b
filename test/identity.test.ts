import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { StateError } from '../src/errors.js'
import { IDENTITY_FILE, loadOrCreateIdentity } from '../src/store/identity.js'
import { tempDir } from './helpers/tmp.js'

const modeOf = (path: string): number => statSync(path).mode & 0o777

describe('node identity', () => {
  it('is created owner-only on first use and survives restarts', async () => {
    const dir = join(tempDir(), 'nested', 'data')
    const first = await loadOrCreateIdentity(dir)
    const file = join(dir, IDENTITY_FILE)
    expect(first.peerId).toMatch(/^12D3KooW/)
    expect(first.privateKey.type).toBe('Ed25519')
    expect(modeOf(file)).toBe(0o600)
    expect(readdirSync(dir)).toEqual([IDENTITY_FILE])

    const again = await loadOrCreateIdentity(dir)
    expect(again.peerId).toBe(first.peerId)
    expect(again.privateKey.equals(first.privateKey)).toBe(true)
    expect(again.tightenedFromMode).toBeUndefined()
  })

  it('gives concurrent first starts one identity', async () => {
    const dir = tempDir()
    const ids = await Promise.all(Array.from({ length: 5 }, async () => (await loadOrCreateIdentity(dir)).peerId))
    expect(new Set(ids).size).toBe(1)
    expect(readdirSync(dir)).toEqual([IDENTITY_FILE])
  })

  it('refuses a corrupt key file and leaves it in place', async () => {
    const dir = tempDir()
    const file = join(dir, IDENTITY_FILE)
    writeFileSync(file, 'not a key', { mode: 0o600 })
    const error = await loadOrCreateIdentity(dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StateError)
    expect(error).toMatchObject({ code: 'IDENTITY_CORRUPT' })
    expect((error as Error).message).toContain(file)
    expect(readFileSync(file, 'utf8')).toBe('not a key')
  })

  it('refuses a key whose public half does not match its private half', async () => {
    const dir = tempDir()
    const { privateKey } = await loadOrCreateIdentity(dir)
    const bytes = privateKeyToProtobuf(privateKey)
    bytes[bytes.length - 1] ^= 0x01
    writeFileSync(join(dir, IDENTITY_FILE), bytes)
    await expect(loadOrCreateIdentity(dir)).rejects.toMatchObject({ name: 'StateError', code: 'IDENTITY_CORRUPT' })
  })

  it('refuses an empty key file', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, IDENTITY_FILE), '')
    await expect(loadOrCreateIdentity(dir)).rejects.toMatchObject({ code: 'IDENTITY_CORRUPT' })
  })

  it('refuses an unreadable key file rather than replacing it', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, IDENTITY_FILE))
    await expect(loadOrCreateIdentity(dir)).rejects.toMatchObject({ name: 'StateError', code: 'IDENTITY_UNREADABLE' })
  })

  it('tightens a key file readable by others to 0600 and says so', async () => {
    const dir = tempDir()
    const { peerId } = await loadOrCreateIdentity(dir)
    const file = join(dir, IDENTITY_FILE)
    chmodSync(file, 0o644)
    const loaded = await loadOrCreateIdentity(dir)
    expect(loaded.peerId).toBe(peerId)
    expect(loaded.tightenedFromMode).toBe(0o644)
    expect(modeOf(file)).toBe(0o600)
  })
})
