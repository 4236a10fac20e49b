import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { closestNames, editDistance } from '../src/core/closest.js'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

describe('best on a task type nobody recorded', () => {
  it('answers "no data for task type", names the closest known types, exits 0; --json says known: false', () => {
    const dir = tempDir()
    for (const taskType of ['bug_fix', 'bug_fix', 'feature', 'refactor']) {
      expect(runCli(['record', '--data-dir', dir, '--task-type', taskType, '--tool', 'aider', '--success', 'true']).code).toBe(0)
    }
    const text = runCli(['best', 'bugfix', '--data-dir', dir])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^no data for task type 'bugfix' .*closest known: bug_fix\n$/)

    const json = runCli(['best', 'bugfix', '--data-dir', dir, '--json'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({ known: false, task_type: 'bugfix', closest: ['bug_fix'], best: null, ranking: [] })

    // a known type with too few samples for a verdict is known: the old message stays
    const thin = runCli(['best', 'bug_fix', '--data-dir', dir, '--json'])
    expect(JSON.parse(thin.stdout)).toMatchObject({ known: true, closest: [], best: null })
    expect(runCli(['best', 'bug_fix', '--data-dir', dir]).stdout).toContain('no tool for bug_fix has 5+ samples yet')

    const far = runCli(['best', 'documentation', '--data-dir', dir])
    expect(far.stdout).toContain("no data for task type 'documentation'")
    expect(far.stdout).not.toContain('closest known')
  })
})

describe('closestNames', () => {
  it('folds case and separators, then ranks by edit distance', () => {
    expect(closestNames('bugfix', ['feature', 'bug_fix', 'bugs', 'bugfx'])).toEqual(['bug_fix', 'bugfx'])
    expect(closestNames('Bug-Fix', ['bug_fix'])).toEqual(['bug_fix'])
    expect(closestNames('django', ['django__django', 'astropy__astropy'])).toEqual(['django__django'])
    expect(closestNames('zzz', ['bug_fix'])).toEqual([])
  })

  it('edit distance is a metric (property)', () => {
    const s = fc.string({ maxLength: 8 })
    fc.assert(fc.property(s, s, s, (a, b, c) => {
      expect(editDistance(a, a)).toBe(0)
      expect(editDistance(a, b)).toBe(editDistance(b, a))
      expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c))
    }))
  })
})
