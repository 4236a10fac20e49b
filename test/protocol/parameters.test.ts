import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CLOCK_SKEW_MS } from '../../src/core/limits.js'
import { DEFAULT_ADMISSION } from '../../src/hive/admission.js'
import { DEFAULT_REJECT_LIMITS } from '../../src/hive/reject-limiter.js'
import { DEFAULT_SYNC_STREAMS } from '../../src/network/types.js'
import { SYNC } from '../../src/protocol/frames.js'
import { MAX_ENTRIES, MAX_ENVELOPE_BYTES, MAX_GOSSIP_BYTES, MAX_PARTS } from '../../src/protocol/index.js'
import { MAX_DIGEST_ORIGINS, MAX_DIGEST_RANGES } from '../../src/protocol/sync-digest.js'
import { MAX_ARMS_PER_TASK_TYPE, MAX_DELTAS_PER_ORIGIN, MAX_KEYS_PER_ORIGIN } from '../../src/store/exchange.js'
import { PROTOCOL_DIR } from './vector-files.js'

/** protocol/README.md's parameter table (r2.2: every limit lives there) states what the code enforces. */
const table = new Map(readFileSync(join(PROTOCOL_DIR, 'README.md'), 'utf8').split('\n')
  .map(line => /^\| `([A-Z_]+)` \| ([^|]+) \|/.exec(line))
  .filter(m => m !== null)
  .map(m => [m[1], m[2]] as [string, string]))

/** The numbers of a value cell, spaces between digit groups removed: "2 per peer, 16 in total" -> [2, 16]. */
const numbers = (name: string): number[] => {
  const cell = table.get(name)
  if (cell === undefined) throw new Error(`${name} is not in the parameter table`)
  return [...cell.replace(/(\d) (?=\d{3}\b)/g, '$1').matchAll(/\d+(\.\d+)?/g)].map(m => Number(m[0]))
}

describe('the parameter table of protocol/README.md', () => {
  it.each([
    ['MAX_ENVELOPE_BYTES', [MAX_ENVELOPE_BYTES]],
    ['MAX_GOSSIP_BYTES', [MAX_GOSSIP_BYTES]],
    ['MAX_ENTRIES', [MAX_ENTRIES]],
    ['MAX_PARTS', [MAX_PARTS]],
    ['MAX_KEYS_PER_ORIGIN', [MAX_KEYS_PER_ORIGIN]],
    ['MAX_ARMS_PER_TASK_TYPE', [MAX_ARMS_PER_TASK_TYPE]],
    ['MAX_DELTAS_PER_ORIGIN', [MAX_DELTAS_PER_ORIGIN]],
    ['SYNC_TIMEOUT', [SYNC.timeoutMs / 1000]],
    ['SYNC_MAX_FRAMES', [SYNC.maxFrames]],
    ['SYNC_MAX_BYTES', [SYNC.maxTotalBytes]],
    ['SYNC_ANSWER_FRAMES', [SYNC.answerFrames]],
    ['SYNC_ANSWER_BYTES', [SYNC.answerBytes]],
    ['MAX_DIGEST_ORIGINS', [MAX_DIGEST_ORIGINS]],
    ['MAX_DIGEST_RANGES', [MAX_DIGEST_RANGES]],
    ['SYNC_STREAMS', [DEFAULT_SYNC_STREAMS.servedPerPeer, DEFAULT_SYNC_STREAMS.servedTotal]],
    ['REJECT_LIMIT', [DEFAULT_REJECT_LIMITS.threshold, DEFAULT_REJECT_LIMITS.halfLifeMs / 60_000]],
    ['ORIGIN_ADMISSION', [DEFAULT_ADMISSION.perSecond, DEFAULT_ADMISSION.burst, DEFAULT_ADMISSION.maxPerPeer]]
  ] as const)('%s', (name, values) => {
    expect(numbers(name).slice(0, values.length)).toEqual(values)
  })

  it('CLOCK_SKEW', () => {
    expect(numbers('CLOCK_SKEW')).toContain(CLOCK_SKEW_MS)
  })
})
