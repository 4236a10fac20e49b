import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKey } from '@libp2p/pnet'
import { describe, expect, it } from 'vitest'
import { generateHiveKey, parseHiveKey, readHiveKey } from '../../src/network/index.js'
import { tempDir } from '../helpers/tmp.js'

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

describe('hive keys', () => {
  it('generates distinct keys in the swarm.key v1 format', () => {
    const key = text(generateHiveKey())
    expect(key).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/)
    expect(text(generateHiveKey())).not.toBe(key)
  })

  it('reads a key written by @libp2p/pnet, unchanged', () => {
    const file = join(tempDir(), 'swarm.key')
    const theirs = new Uint8Array(95)
    generateKey(theirs)
    writeFileSync(file, theirs)
    expect(readHiveKey(file)).toEqual(theirs)
  })

  it('canonicalises case, CRLF and a trailing newline', () => {
    const hex = 'AB'.repeat(32)
    const canonical = parseHiveKey(new TextEncoder().encode(`/key/swarm/psk/1.0.0/\r\n/base16/\r\n${hex}\r\n`))
    expect(text(canonical)).toBe(`/key/swarm/psk/1.0.0/\n/base16/\n${'ab'.repeat(32)}`)
  })

  it('names the file and the problem of a bad key', () => {
    const dir = tempDir()
    const bad = (content: string): string => {
      const file = join(dir, `k${Math.random()}`)
      writeFileSync(file, content)
      return file
    }
    expect(() => readHiveKey(bad('/key/swarm/psk/1.0.0/\n/base16/\nabc'))).toThrow(/64 hex digits/)
    expect(() => readHiveKey(bad('/key/swarm/psk/1.0.0/\n/base64/\n' + 'a'.repeat(64)))).toThrow(/base16/)
    expect(() => readHiveKey(bad('a'.repeat(64)))).toThrow(/1 lines, not 3/)
    expect(() => readHiveKey(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'HIVE_KEY_UNREADABLE' }))
    const file = bad('nope')
    expect(() => readHiveKey(file)).toThrow(expect.objectContaining({ code: 'HIVE_KEY_INVALID', message: expect.stringContaining(file) }))
  })
})
