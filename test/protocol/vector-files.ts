import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FramingVector, SequenceVector, SyncVector, TestVector } from '../../src/protocol/index.js'

/** protocol/vectors, read once per test file: every kind of vector the generator writes. */
export const PROTOCOL_DIR = join(import.meta.dirname, '../../protocol')

function read<T> (sub: string): T[] {
  const dir = join(PROTOCOL_DIR, 'vectors', sub)
  return readdirSync(dir).filter(f => f.endsWith('.json')).sort().map(f => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T)
}

export const envelopeVectors = read<TestVector>('')
export const sequenceVectors = read<SequenceVector>('sequences')
export const mergeVectors = read<SequenceVector>('merges')
export const framingVectors = read<FramingVector>('framing')
export const syncVectors = read<SyncVector>('sync')
export const roundingVectors = read<{ durations: Array<{ duration_s: number, product: number, ms: number, bucket: number }>, costs: Array<{ cost_usd: number, product: number, micros: number }> }>('rounding')

/** A verdict of the receive pipeline in the words of the vectors. */
export function vectorVerdict (r: { verdict: string, rule?: string }): { verdict: string, rule?: string } {
  if (r.verdict === 'accepted') return { verdict: 'ACCEPT' }
  return { verdict: r.verdict === 'rejected' ? 'REJECT' : 'IGNORE', rule: r.rule }
}
