import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readEnvelopeFile, writeEnvelopeFile } from '../src/hive/envelope-file.js'
import { fsyncDirectory, writeFileDurably } from '../src/store/index.js'
import { tempDir } from './helpers/tmp.js'

describe('durable file writes', () => {
  it('replace a file whole and leave no temporary file behind', async () => {
    const dir = tempDir()
    const path = join(dir, 'out.env')
    writeFileSync(path, 'old contents')
    const envelopes = [new Uint8Array([1, 2, 3]), new Uint8Array(70_000).fill(7)]
    writeEnvelopeFile(path, envelopes)
    expect(await readEnvelopeFile(path)).toEqual(envelopes)
    expect(readdirSync(dir)).toEqual(['out.env'])
  })

  it('a failed write leaves the old file as it was and no temporary file', () => {
    const dir = tempDir()
    const path = join(dir, 'kept.bin')
    writeFileSync(path, 'old contents')
    // a directory where the new file would go: the rename fails after the temporary file is written
    expect(() => { writeFileDurably(join(dir, 'missing', 'x.bin'), new Uint8Array([1])) }).toThrow(/ENOENT/)
    expect(() => { writeFileDurably(dir, new Uint8Array([1])) }).toThrow()
    expect(readFileSync(path, 'utf8')).toBe('old contents')
    expect(readdirSync(dir).sort()).toEqual(['kept.bin'])
    expect(() => { fsyncDirectory(join(dir, 'missing')) }).not.toThrow()
  })
})
