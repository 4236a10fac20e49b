import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fitWidths, MIN_WIDTH, textTable } from '../src/cli/table.js'
import { openTracker } from '../src/tracker.js'
import { CLI, runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

/**
 * Every table the CLI prints, on a terminal and off one (issue 16): on a real pseudo-terminal
 * (util-linux `script`, in Debian's essential bsdutils) no line is wider than the terminal and the
 * widest column is cut with an ellipsis; piped, the same tables are tab-separated plain text with
 * nothing cut and no escape codes.
 */

const LONG_MODEL = 'an-extraordinarily-long-model-name-that-no-terminal-fits-2099-12-31'
const ESC = '\u001b'
const [BOLD, NORMAL] = [`${ESC}[1m`, `${ESC}[22m`]
const BOX = /[\u2500-\u257f]/
const HAS_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0

/** A data dir with a long model name, a baseline and later outcomes: something for every table. */
function dataDir (): string {
  const dir = tempDir()
  const t = openTracker({ dataDir: dir })
  try {
    const outcomes = (tool: string, model: string, pass: number, fail: number): unknown[] => Array.from({ length: pass + fail }, (_, i) =>
      ({ task_type: 'bug_fix', tool, model, outcome: i < pass ? 'pass' : 'grader_fail', duration_s: 20 + (i * 37) % 40, cost_usd: 0.25 }))
    t.recordBatch([...outcomes('aider', LONG_MODEL, 14, 6), ...outcomes('claude-code', 'sonnet', 9, 11), ...outcomes('ruff', '', 3, 1)])
    t.captureBaseline({ name: 'v1', note: 'before the upgrade', gitSha: 'abc123' })
    t.recordBatch(outcomes('aider', LONG_MODEL, 10, 10))
  } finally {
    t.close()
  }
  // this node's identity and its first export: a row in the peers table
  expect(runCli(['export-delta', '--out', join(dir, 'first.envelopes'), '--data-dir', dir]).code).toBe(0)
  return dir
}

/**
 * Every command that prints a table; `widest`: a cell of its widest column, cut on a 60-column
 * terminal unless the table `fits` as it is; `legend`: how the line explaining its abbreviations starts.
 */
const RANKING = '#\ttool\tmodel\tn\tpass rate\t95% bounds\tp50\tp90\tmean cost\toutcomes\torigins'
const TABLES: Array<{ args: string[], header: string, widest: string, fits?: boolean, legend?: string }> = [
  { args: ['best', 'bug_fix'], header: RANKING, widest: LONG_MODEL, legend: 'n: samples; ' },
  { args: ['stats'], header: RANKING, widest: LONG_MODEL, legend: 'n: samples; ' },
  { args: ['stats', '--by-origin'], header: 'tool\tmodel\torigin\tn\tpass rate\tweight counted\tcapped', widest: LONG_MODEL },
  { args: ['gate', '--baseline', 'v1'], header: 'task type\told\tnew\tn old/new\tpass rate\tdrop\tp50\tp90\tverdict\tadj. p\tmore samples/side', widest: `aider/${LONG_MODEL}`, legend: 'n old/new: ' },
  { args: ['trend', 'bug_fix'], header: 'arm\tn\tpass\tpass rate per day\tp50 per day\ttrend\tp', widest: `aider/${LONG_MODEL}`, legend: 'pass rate per day: ' },
  { args: ['baseline', 'show', 'v1'], header: 'task type\tarm\tn\tpass rate\tp50', widest: `aider/${LONG_MODEL}`, legend: 'n: samples frozen' },
  { args: ['baseline', 'list'], header: 'name\tcaptured\tscope\tdays\tarms\tgit\tlast gate\tnote', widest: 'before the upgrade' },
  { args: ['peers'], header: 'origin\tlast seq\tsnapshot seq\tfirst seen\tlast seen\tenvelopes\tkeys', widest: '12D3KooW' },
  { args: ['config'], header: 'setting\tvalue\tsource', widest: 'hivebench', fits: true }
]

/**
 * Runs the CLI on a real pseudo-terminal of `cols` columns; returns its output without \r and
 * the header's bold, and the raw text. `env` is set on the command line itself: the shell `script`
 * starts would otherwise reset COLUMNS to the terminal's size after `stty` (bash's checkwinsize).
 */
function onTerminal (args: string[], cols: number, env: Record<string, string> = {}): { text: string, raw: string } {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`)
  const line = `stty cols ${cols} rows 50; ${[...assignments, ...[process.execPath, CLI, ...args].map(quote)].join(' ')}`
  const r = spawnSync('script', ['-qec', line, '/dev/null'], { encoding: 'utf8', input: '', timeout: 60_000 })
  const raw = r.stdout.replaceAll('\r', '')
  return { raw, text: raw.replaceAll(BOLD, '').replaceAll(NORMAL, '') }
}

const tooWide = (text: string, cols: number): string[] => text.split('\n').filter(l => [...l].length > cols)

describe('CLI tables', { timeout: 120_000 }, () => {
  it('piped: tab-separated, header first, nothing cut, no escape codes or box drawing', () => {
    const dir = dataDir()
    for (const { args, header, widest, legend } of TABLES) {
      const r = runCli([...args, '--data-dir', dir], { COLUMNS: '40' }) // COLUMNS is for terminals only
      const what = args.join(' ')
      expect(r.stdout, what).not.toContain(ESC)
      expect(r.stdout, what).not.toMatch(BOX)
      expect(r.stdout, what).not.toContain('…')
      const lines = r.stdout.split('\n')
      const at = lines.indexOf(header)
      expect(at, `${what}\n${r.stdout}`).toBeGreaterThanOrEqual(0)
      const columns = header.split('\t').length
      expect(lines[at + 1].split('\t'), what).toHaveLength(columns)
      expect(r.stdout, what).toContain(widest)
      if (legend !== undefined) expect(lines.some(l => l.startsWith(legend)), `${what}: legend`).toBe(true)
    }
    // stable for cut/awk: the model column of the ranking, by position
    const best = runCli(['best', 'bug_fix', '--data-dir', dir]).stdout.split('\n').filter(l => l.split('\t').length === 11)
    expect(best.slice(1).map(l => l.split('\t')[2])).toEqual([LONG_MODEL, 'sonnet', '-'])
  })

  it.skipIf(!HAS_SCRIPT)('on a real terminal 60 columns wide: no line wider, the widest column cut with an ellipsis, a bold header', () => {
    const dir = dataDir()
    for (const { args, widest, fits } of TABLES) {
      const { text, raw } = onTerminal([...args, '--data-dir', dir], 60)
      const what = args.join(' ')
      expect(text.length, what).toBeGreaterThan(0)
      expect(tooWide(text, 60), `${what}\n${text}`).toEqual([])
      expect(raw, what).toContain(BOLD) // the terminal layout, not the piped one
      expect(text, what).not.toContain(ESC) // and no escape code but the bold header
      expect(text, what).not.toContain('\t')
      // a cell of the widest column, cut: its start, then an ellipsis before the next column
      if (fits === true) expect(text, what).toContain(widest)
      else expect(text, `${what}\n${text}`).toMatch(new RegExp(`(^| )${widest.slice(0, 2).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\S*…( |$)`, 'm'))
    }
  })

  it.skipIf(!HAS_SCRIPT)('COLUMNS wins over the terminal\'s size, NO_COLOR drops the bold, HIVEBENCH_FORCE_TTY lays out a pipe', () => {
    const dir = dataDir()
    const wide = onTerminal(['best', 'bug_fix', '--data-dir', dir], 200)
    expect(wide.text).toContain(LONG_MODEL)
    const narrowed = onTerminal(['best', 'bug_fix', '--data-dir', dir], 200, { COLUMNS: '70' })
    expect(tooWide(narrowed.text, 70)).toEqual([])
    // the widest column (the model) is the one cut: the narrow ones keep their values
    expect(narrowed.text).toMatch(/^1 +aider +an-ex\S*… +40 +60\.0% /m)
    expect(onTerminal(['best', 'bug_fix', '--data-dir', dir], 80, { NO_COLOR: '1' }).raw).not.toContain(ESC)
    const forced = runCli(['best', 'bug_fix', '--data-dir', dir], { HIVEBENCH_FORCE_TTY: '50', NO_COLOR: '1' }).stdout
    expect(tooWide(forced, 50)).toEqual([])
    expect(forced).toContain('…')
  })

  it('fits any table that can fit; cuts headers before values, then the widest column first', () => {
    const column = fc.record({ header: fc.integer({ min: 1, max: 30 }), values: fc.integer({ min: 0, max: 80 }) })
    fc.assert(fc.property(fc.array(column, { minLength: 1, maxLength: 12 }), fc.integer({ min: 10, max: 200 }), (columns, width) => {
      const header = columns.map(c => c.header)
      const values = columns.map(c => c.values)
      const widths = fitWidths(header, values, width)
      const natural = columns.map(c => Math.max(c.header, c.values))
      const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1)
      const floor = natural.map(n => Math.min(n, MIN_WIDTH))
      const fits = floor.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) <= width
      if (fits) expect(total).toBeLessThanOrEqual(width)
      widths.forEach((w, c) => {
        expect(w).toBeLessThanOrEqual(natural[c])
        expect(w).toBeGreaterThanOrEqual(floor[c])
      })
      // a value was cut only once no header could give more, and only in a column at most one narrower than the widest
      const valueCut = widths.findIndex((w, c) => w < values[c])
      if (valueCut >= 0) {
        widths.forEach((w, c) => { expect(w).toBeLessThanOrEqual(Math.max(values[c], MIN_WIDTH)) })
        expect(Math.max(...widths)).toBeLessThanOrEqual(widths[valueCut] + 1)
      }
    }))
    const term = { tty: true, width: 20, color: false }
    expect(textTable(['name', 'n'], [['a-very-long-name-indeed', '12']], {}, term).split('\n')).toEqual(['name              n', 'a-very-long-nam…  12'])
    expect(textTable(['days'], [['▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█']], { keepEnd: [0] }, term)).toBe('days\n…▆▇█▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█')
  })

  it('a name carrying escape sequences (a peer chose it) reaches the terminal as marks, never as a command', () => {
    const dir = tempDir()
    const evil = `evil${ESC}]52;c;cHduZWQ=\u0007${ESC}[2J\u009b1A`
    const t = openTracker({ dataDir: dir })
    try {
      t.recordBatch(Array.from({ length: 6 }, () => ({ task_type: 'bug_fix', tool: evil, model: evil, outcome: 'pass' })))
    } finally {
      t.close()
    }
    for (const env of [{}, { HIVEBENCH_FORCE_TTY: '100' }]) {
      for (const args of [['best', 'bug_fix'], ['stats'], ['route', 'bug_fix']]) {
        const r = runCli([...args, '--data-dir', dir], env)
        expect(r.code, r.stderr).toBe(0)
        const out = r.stdout.replaceAll(BOLD, '').replaceAll(NORMAL, '')
        expect(out, args.join(' ')).toContain('evil\ufffd]52')
        // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
        expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
      }
    }
  })
})
