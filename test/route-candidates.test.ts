import { afterEach, describe, expect, it } from 'vitest'
import { openTracker } from '../src/tracker.js'
import type { Tracker } from '../src/tracker-api.js'
import { tempDir } from './helpers/tmp.js'

const open: Tracker[] = []
afterEach(() => { while (open.length > 0) open.pop()?.close() })

describe('route() over candidate tools (README.md, "Routing")', () => {
  it('a known-bad candidate ranked below the answer limit keeps its samples: it is not offered as untried', () => {
    const t = openTracker({ dataDir: tempDir() })
    open.push(t)
    // 60 arms of 8/10 rank above `bad` (0/100), so `bad` falls below the default 50 listed arms
    t.recordBatch([
      ...Array.from({ length: 60 }, (_, a) => Array.from({ length: 10 }, (_, i) => ({ task_type: 'bug_fix', tool: `t${a}`, outcome: i < 8 ? 'pass' as const : 'grader_fail' as const }))).flat(),
      ...Array.from({ length: 100 }, () => ({ task_type: 'bug_fix', tool: 'bad', outcome: 'grader_fail' as const }))
    ])
    expect(t.best('bug_fix').ranking.some(a => a.tool === 'bad')).toBe(false)
    const first = t.route('bug_fix', { tools: ['t0', 'bad'], exploreShare: 1, seed: 1 })
    expect(first.ranking.find(a => a.tool === 'bad')?.n).toBe(100)
    const picks = Array.from({ length: 300 }, (_, seed) => t.route('bug_fix', { tools: ['t0', 'bad'], exploreShare: 1, seed }).arm?.tool)
    expect(picks.filter(tool => tool === 'bad').length).toBeLessThan(3)
    // without candidates the shown ranking is still cut to the limit
    expect(t.route('bug_fix', { limit: 5, seed: 1 }).ranking).toHaveLength(5)
  })
})
