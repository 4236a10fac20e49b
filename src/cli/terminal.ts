/**
 * Where the CLI's text goes, and how wide it may be. Tables and prose are laid out for a person
 * only when stdout is a terminal (like `gh`): piped or redirected, they are plain text that `cut`
 * and `awk` can read, with nothing truncated and no escape codes.
 *
 * - HIVEBENCH_FORCE_TTY (like GH_FORCE_TTY): any value but `0`/`false` lays out for a terminal
 *   even when redirected; a number is also the width.
 * - COLUMNS (POSIX: the user's preferred width) wins over the terminal's own size.
 * - NO_COLOR (no-color.org): no bold header even on a terminal.
 */
export interface Terminal {
  /** lay out for a person: fit the width, bold header */
  readonly tty: boolean
  /** columns available (meaningful when tty) */
  readonly width: number
  /** escape codes allowed (tty and no NO_COLOR) */
  readonly color: boolean
}

/** The width when nothing says otherwise (a terminal that reports 0 columns, as some ptys do). */
const FALLBACK_WIDTH = 80

const positive = (value: string | undefined): number | null => {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null
  const n = Number(value)
  return n > 0 ? n : null
}

export function terminalOf (stream: { isTTY?: boolean, columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): Terminal {
  const force = env.HIVEBENCH_FORCE_TTY
  const forced = force !== undefined && force !== '' && force !== '0' && force.toLowerCase() !== 'false'
  const tty = stream.isTTY === true || forced
  const width = (forced ? positive(force) : null) ?? positive(env.COLUMNS) ?? ((stream.columns ?? 0) > 0 ? stream.columns as number : FALLBACK_WIDTH)
  const color = tty && (env.NO_COLOR === undefined || env.NO_COLOR === '')
  return { tty, width, color }
}

/** Width in terminal cells, counted as code points (every label hivebench prints is narrow text). */
export const cells = (s: string): number => [...s].length

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const PROSE_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/**
 * Prose for the terminal: on a tty, lines longer than the width wrap at spaces (a word longer than
 * the width is cut into pieces); off a tty the text is unchanged, one line per record.
 */
export function fitText (text: string, term: Terminal = terminalOf()): string {
  const safe = inert(text, PROSE_CONTROLS)
  if (!term.tty) return safe
  return safe.split('\n').map(line => wrapLine(line, term.width)).join('\n')
}

/**
 * Tool, model and task type names come from peers, and R13 only asks that they are not empty: an
 * escape sequence in one (OSC 52 writes the clipboard, CSI 2J clears the screen) must reach the
 * terminal as a visible mark, never as a command. `controls` says which characters count (a table
 * cell takes none, prose keeps its newlines and tabs).
 */
export function inert (text: string, controls = CONTROLS): string {
  return text.replace(controls, '\ufffd')
}

function wrapLine (line: string, width: number): string {
  if (cells(line) <= width) return line
  const out: string[] = []
  let current = ''
  for (const word of line.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`
    if (cells(candidate) <= width) {
      current = candidate
      continue
    }
    if (current !== '') out.push(current)
    let rest = [...word]
    while (rest.length > width) {
      out.push(rest.slice(0, width).join(''))
      rest = rest.slice(width)
    }
    current = rest.join('')
  }
  if (current !== '') out.push(current)
  return out.join('\n')
}

/** console.log for prose: wrapped to the terminal's width on a tty. */
export function say (text: string): void {
  console.log(fitText(text))
}
