import { describe, expect, it } from 'vitest'
import { renderTable } from '../src/cli/table.js'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

const head = ['#', 'tool', 'model', 'n']
const rows = [['1', 'mini-swe-agent', 'claude-opus-4-5-20251101', '231'], ['2', 'aider', '-', '7']]

describe('tables', () => {
  it('on a terminal: box-drawn and fitted to its width, the widest column truncated with …', () => {
    const wide = renderTable(head, rows, { tty: true, width: 200 })
    expect(wide).toContain('claude-opus-4-5-20251101')
    const narrow = renderTable(head, rows, { tty: true, width: 40 })
    for (const line of narrow.split('\n')) expect([...line].length).toBeLessThanOrEqual(40)
    expect(narrow).toContain('…')
    expect(narrow).toContain('aider')
    expect(narrow.split('\n')[0]).toMatch(/^┌─/)
  })

  it('off a terminal: plain columns, whole values, no box drawing; a legend line explains the abbreviations', () => {
    expect(renderTable(head, rows, { tty: false, width: 20 })).toBe(
      '#  tool            model                     n\n' +
      '1  mini-swe-agent  claude-opus-4-5-20251101  231\n' +
      '2  aider           -                         7')
    const dir = tempDir()
    runCli(['record', '--data-dir', dir, '--task-type', 'bug_fix', '--tool', 'aider', '--outcome', 'timeout'])
    const out = runCli(['best', 'bug_fix', '--data-dir', dir]).stdout
    expect(out).not.toMatch(/[┌│└]/)
    expect(out).toMatch(/^·\s+aider\s+-\s+1\s+0\.0%/m)
    expect(out).toMatch(/^n: samples; 95% bounds: Wilson .*tmo timeout.*·: fewer samples than --min-samples, not ranked$/m)
  })
})
