import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { HivebenchError } from '../errors.js'
import { encodeFrame, readAllFrames } from '../protocol/frames.js'
import { MAX_PARTS } from '../protocol/constants.js'

/**
 * Envelope files (protocol/README.md, "Envelope files"): envelopes exactly as signed, each
 * prefixed by its length as an unsigned varint: the framing of sync responses, so a file is a
 * sync response written to disk.
 */
/** Synchronous, so an export can write its file inside its transaction (see Sharing.export). */
export function writeEnvelopeFile (path: string, envelopes: Uint8Array[]): void {
  try {
    writeFileSync(path, Buffer.concat(envelopes.map(encodeFrame)), { mode: 0o644 })
  } catch (err) {
    throw new HivebenchError('FILE', `cannot write ${path}: ${(err as Error).message}`)
  }
}

export async function readEnvelopeFile (path: string): Promise<Uint8Array[]> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    throw new HivebenchError('FILE', `cannot read ${path}: ${(err as Error).message}`)
  }
  try {
    // No frame limit beyond the file itself (already in memory): an oversize envelope is the
    // receiver's R1 REJECT for that envelope alone, as on the network (protocol r2.1), not a
    // reason to refuse the valid envelopes around it.
    return await readAllFrames((async function * () { yield bytes })(), {
      maxFrameBytes: bytes.length, maxFrames: MAX_PARTS * 64, maxTotalBytes: bytes.length
    })
  } catch (err) {
    throw new HivebenchError('FILE', `${path} is not an envelope file: ${(err as Error).message}`)
  }
}
