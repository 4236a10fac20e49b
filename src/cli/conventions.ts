import type { Command } from 'commander'

/**
 * Conventions every command follows, applied once to the whole tree:
 * - global options before or after the command (`hivebench --data-dir D stats` = `hivebench stats --data-dir D`);
 * - one error prefix, `hivebench:`, for commander's usage errors too (`error: unknown option` becomes `hivebench: unknown option`).
 */
export const GLOBAL_OPTIONS = ['--data-dir', '--json'] as const

export function applyConventions (program: Command): void {
  program
    .option('--data-dir <dir>', 'data directory, before or after the command (default: $HIVEBENCH_DATA_DIR or ~/.hivebench)')
    .option('--json', 'machine-readable JSON output, before or after the command')
  const prefix = { outputError: (text: string, write: (s: string) => void) => { write(`hivebench: ${text.replace(/^error: /, '')}`) } }
  program.configureOutput(prefix)
  for (const cmd of program.commands) {
    cmd.configureOutput(prefix)
    for (const sub of cmd.commands) sub.configureOutput(prefix)
  }
  // values given before the command fill the command's own option of the same name
  program.hook('preAction', (_program, action) => {
    const global = program.opts<{ dataDir?: string, json?: boolean }>()
    for (const [attr, value] of Object.entries(global)) {
      if (value === undefined) continue
      const has = action.options.some(o => o.attributeName() === attr)
      if (has && action.getOptionValueSource(attr) !== 'cli') action.setOptionValueWithSource(attr, value, 'cli')
    }
  })
}
