import '../src/polyfill.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { DEFAULT_RANK_POLICY } from '../src/core/ranking.js'
import { attackEnvelope, buildHonestHive, openVictim } from './lib/poison-hive.js'
import { armKey, loadRows } from './lib/replay-data.js'
import { DEFAULT_DATA } from './replay.js'
const NOW = Date.parse('2026-11-23T12:00:00Z')
const dir = mkdtempSync(join(tmpdir(), 'dbg-'))
const hive = await buildHonestHive(loadRows(DEFAULT_DATA()), 10, 1, NOW, dir)
const t = process.argv[2] ?? 'astropy/astropy'
const v = await openVictim(hive, DEFAULT_RANK_POLICY, NOW, dir)
const show = (): void => { for (const a of v.tracker.best(t).ranking.slice(0, 6)) console.log(a.model.padEnd(40), a.n, a.pass, a.origins, a.weighted_n.toFixed(1), a.weighted_pass.toFixed(1), a.wilson_lower.toFixed(3), a.benchmarked) }
show()
const r = v.tracker.best(t).ranking
const target = armKey(r[1].tool, r[1].model)
console.log(v.sharing.receive(attackEnvelope(await generateKeyPair('Ed25519'), [{ taskType: t, arm: target, n: 1e6, pass: 1e6 }], NOW)))
show()
