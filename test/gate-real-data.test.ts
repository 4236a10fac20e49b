import { afterEach, describe, expect, it } from 'vitest'
import { mulberry32 } from '../src/core/random.js'
import { readOutcomeFile } from '../src/ingest/outcome-file.js'
import { openTracker, type Tracker } from '../src/tracker.js'
import { tempDir } from './helpers/tmp.js'

/**
 * The gate on the real SWE-bench Verified outcomes (12 repositories as task types, from 5,775
 * outcomes down to 25): sparse arms must never pass and never fake a regression.
 */
const SWEBENCH_CSV = new URL('../../shared/data/swebench-verified-bash-only.csv', import.meta.url).pathname
const rows = readOutcomeFile(SWEBENCH_CSV).rows.map(r => r.input)
let tracker: Tracker | null = null
afterEach(() => { tracker?.close(); tracker = null })

describe('the gate on real data', () => {
  it('two random halves of the same file never regress; a sparse task type passes only when its new half did clearly better', () => {
    tracker = openTracker({ dataDir: tempDir() })
    const seeds = 10
    for (let seed = 1; seed <= seeds; seed++) {
      const random = mulberry32(seed)
      // each copy is new outcomes: without the ids the import derives from task_id, tool and model
      tracker.recordBatch(rows.map(r => ({ ...r, id: null, tool: `agent@${seed}.${random() < 0.5 ? 'a' : 'b'}` })))
    }
    let noChange = 0
    for (let seed = 1; seed <= seeds; seed++) {
      const answer = tracker.gate({ old: `agent@${seed}.a`, new: `agent@${seed}.b` })
      expect(answer.rows).toHaveLength(13)
      expect(answer.rows.filter(r => r.verdict === 'regression'), `seed ${seed}`).toEqual([])
      // 11 to 28 outcomes per side: a drop beyond 5% is ruled out only when the new half passed far more often
      for (const small of answer.rows.filter(r => ['pallets/flask', 'mwaskom/seaborn'].includes(r.task_type))) {
        if (small.verdict !== 'insufficient_evidence') expect((small.new.pass_rate ?? 0) - (small.old.pass_rate ?? 0)).toBeGreaterThan(0.25)
      }
      // pooled over all 12 repositories (~6,250 per side) the halves are shown equal in most splits
      if (answer.rows[12].verdict === 'no_change') noChange++
    }
    expect(noChange).toBeGreaterThanOrEqual(7)
  })

  it('a model swap from 74% to 10% is a regression where the samples show it, and insufficient where they cannot', () => {
    tracker = openTracker({ dataDir: tempDir() })
    tracker.recordBatch(rows)
    const answer = tracker.gate({ old: 'mini-swe-agent/claude-opus-4-5-20251101', new: 'mini-swe-agent/claude-3-7-sonnet-20250219' })
    expect(answer).toMatchObject({ verdict: 'regression', exit_code: 4 })
    const row = (t: string): Record<string, unknown> | undefined => answer.rows.find(r => r.task_type === t) as Record<string, unknown> | undefined
    expect(row('django/django')).toMatchObject({ verdict: 'regression', old: { n: 231 }, new: { n: 231 } })
    expect(row('overall')).toMatchObject({ verdict: 'regression', old: { n: 500 }, new: { n: 500 } })
    // one task each: no test can tell, and the gate says so instead of passing
    expect(row('pallets/flask')).toMatchObject({ verdict: 'insufficient_evidence', old: { n: 1 }, new: { n: 1 } })
    // the reverse swap is an improvement, never a regression
    const reverse = tracker.gate({ old: 'mini-swe-agent/claude-3-7-sonnet-20250219', new: 'mini-swe-agent/claude-opus-4-5-20251101', allowInsufficient: true })
    expect(reverse.rows.some(r => r.verdict === 'regression')).toBe(false)
    expect(reverse.rows.find(r => r.task_type === 'overall')?.verdict).toBe('improvement')
  })
})
