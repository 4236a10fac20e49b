import '../src/polyfill.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ProtocolError, validateEnvelope } from '../src/protocol/index.js'
import { createSharing } from '../src/hive/sharing.js'
import { openTracker } from '../src/tracker.js'
import { brokenInvariant, FUZZ_CONTEXT, hostileInput, prepareHostileInputs } from '../test/protocol/fuzz-inputs.js'
import { seededRandom } from '../test/protocol/helpers.js'
import { fmt } from './lib/measure.js'

/**
 * npm run fuzz -- [--runs N] [--seed S]: the nightly-style fuzz run (default 1,000,000 cases)
 * over the envelope decoder and validator; every 50th case also goes through a real store
 * (validate + merge). Exits 1 on any crash: a throw that is not a ProtocolError, an accepted
 * envelope breaking a promised invariant, or an unhandled rejection.
 */
const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '20261123' } } })
const runs = Number(values.runs)
const random = seededRandom(Number(values.seed))
let failures = 0
process.on('unhandledRejection', err => { failures++; console.error('unhandled rejection:', err) })

await prepareHostileInputs()
const dir = mkdtempSync(join(tmpdir(), 'hivebench-fuzz-'))
const tracker = openTracker({ dataDir: dir, now: () => FUZZ_CONTEXT.nowMs })
const key = await generateKeyPair('Ed25519')
tracker.store.exchange.bindSelf(peerIdFromPrivateKey(key).toString())
const sharing = createSharing({ store: tracker.store, privateKey: key, workBits: 0, now: () => FUZZ_CONTEXT.nowMs }) // throwaway keys: R24 off
const verdicts = new Map<string, number>()
const started = performance.now()
try {
  for (let run = 0; run < runs; run++) {
    const input = hostileInput(random)
    let outcome: string
    try {
      const broken = brokenInvariant(validateEnvelope(input, FUZZ_CONTEXT).entries)
      if (broken !== null) throw new Error(`accepted envelope breaks an invariant: ${broken}`)
      outcome = 'ACCEPT'
    } catch (err) {
      if (!(err instanceof ProtocolError)) {
        failures++
        console.error(`run ${run}: ${String(err)}\n  input ${Buffer.from(input).toString('hex')}`)
        continue
      }
      outcome = err.rule
    }
    if (run % 50 === 0) sharing.receive(input) // the store side must never throw either
    verdicts.set(outcome, (verdicts.get(outcome) ?? 0) + 1)
    if ((run + 1) % 100_000 === 0) console.log(`${fmt(run + 1)} cases, ${failures} failures, ${fmt((run + 1) / ((performance.now() - started) / 1000))} cases/s`)
  }
} finally {
  tracker.close()
  rmSync(dir, { recursive: true, force: true })
}
console.log(`\n${fmt(runs)} cases in ${((performance.now() - started) / 1000).toFixed(1)} s: ${failures} failures`)
console.log('verdicts:', [...verdicts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v)}`).join(', '))
if (failures > 0) process.exitCode = 1
