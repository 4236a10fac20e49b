import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Command, Option } from 'commander'
import { parse as parseToml } from 'smol-toml'
import { ValidationError } from '../errors.js'
import { resolveDataDir } from '../store/data-dir.js'

/**
 * Layered settings for a command's options: flags > environment > config file > defaults, as
 * npm and LiteLLM's proxy do. Every long option `--some-flag` is
 *   - the environment variable HIVEBENCH_SOME_FLAG (lists: comma- or space-separated), and
 *   - the key `some-flag` of the config file: `--config FILE`, else $HIVEBENCH_CONFIG, else
 *     hivebench.toml (or hivebench.json) in the data dir.
 * Values from the environment and the file go through the option's own parser, so a bad value
 * is refused with the same rule as on the command line. An unknown key in the file is an error.
 */
export type Source = 'flag' | 'env' | 'file' | 'default' | 'unset'

export interface Setting { key: string, value: unknown, source: Source, env: string }

export const CONFIG_FILE_NAMES = ['hivebench.toml', 'hivebench.json']

const envName = (long: string): string => `HIVEBENCH_${long.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`
const keyOf = (o: Option): string => (o.long ?? '').replace(/^--(no-)?/, '')

/** The options that carry settings: not --help, --json, --config, nor the --no-x twin of --x. */
function settable (cmd: Command): Option[] {
  const options = cmd.options as Option[]
  return options.filter(o => o.long !== undefined && !['--help', '--json', '--config'].includes(o.long) &&
    !(o.negate && options.some(p => p !== o && keyOf(p) === keyOf(o))))
}

/** Where the config file is, or null: --config, $HIVEBENCH_CONFIG, else the data dir's. */
export function configFileOf (explicit: string | undefined, dataDir: string | undefined): string | null {
  const given = explicit ?? process.env.HIVEBENCH_CONFIG
  if (given !== undefined && given !== '') {
    if (!existsSync(given)) throw new ValidationError('config', 'exists', `config file ${given} does not exist`)
    return given
  }
  const dir = resolveDataDir(dataDir)
  for (const name of CONFIG_FILE_NAMES) if (existsSync(join(dir, name))) return join(dir, name)
  return null
}

export function readConfigFile (file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8')
  try {
    const parsed = file.endsWith('.json') ? JSON.parse(text) as unknown : parseToml(text)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a table of settings')
    return parsed as Record<string, unknown>
  } catch (err) {
    throw new ValidationError('config', 'syntax', `${file}: ${(err as Error).message.split('\n')[0]}`)
  }
}

/** A value from the environment or the file, through the option's parser. */
function convert (o: Option, raw: unknown, where: string, previous: unknown): unknown {
  const name = keyOf(o)
  if (o.isBoolean()) {
    // a boolean flag (--mdns / --no-mdns)
    const s = String(raw).toLowerCase()
    if (raw === true || ['true', '1', 'yes'].includes(s)) return !o.negate
    if (raw === false || ['false', '0', 'no'].includes(s)) return o.negate
    throw new ValidationError(name, 'boolean', `${where}: must be true or false`)
  }
  const parse = (s: string, prev: unknown): unknown => {
    if (o.parseArg === undefined) return s
    try {
      return o.parseArg(s, prev as never)
    } catch (err) {
      throw new ValidationError(name, 'value', `${where}: ${(err as Error).message.replace(`${name}: `, '')}`)
    }
  }
  if (o.variadic) {
    const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(/[\s,]+/).filter(s => s !== '')
    return o.parseArg === undefined ? items : items.reduce<unknown>((acc, item) => parse(item, acc), previous)
  }
  if (typeof raw === 'object' && raw !== null) throw new ValidationError(name, 'type', `${where}: must be a single value`)
  return parse(String(raw), previous)
}

/**
 * Applies the environment and the file under the flags given. Call after parsing (a preAction
 * hook): commander has then set flags ('cli') and defaults ('default').
 */
export function applyLayers (cmd: Command): { file: string | null } {
  const opts = cmd.opts<{ config?: string, dataDir?: string }>()
  const options = settable(cmd)
  // the data dir decides where the file is: settle it from flags and the environment first
  const file = configFileOf(opts.config, opts.dataDir ?? process.env.HIVEBENCH_DATA_DIR)
  const values = file === null ? {} : readConfigFile(file)
  const known = new Map(options.map(o => [keyOf(o), o]))
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw new ValidationError(key, 'known_key', `unknown key "${key}" in ${file ?? ''} (known: ${[...known.keys()].join(', ')})`)
  }
  if (file !== null && 'data-dir' in values && opts.config === undefined && process.env.HIVEBENCH_CONFIG === undefined) {
    throw new ValidationError('data-dir', 'circular', `${file} is inside the data dir it would move: set data-dir only in a file given with --config`)
  }
  for (const o of options) {
    const attr = o.attributeName()
    const source = cmd.getOptionValueSource(attr)
    if (source === 'cli') continue
    const env = process.env[envName(o.long as string)]
    if (env !== undefined && env !== '' && o.long !== '--data-dir') {
      cmd.setOptionValueWithSource(attr, convert(o, env, envName(o.long as string), undefined), 'env')
      continue
    }
    const key = keyOf(o)
    if (key in values) cmd.setOptionValueWithSource(attr, convert(o, values[key], `${file ?? ''}: ${key}`, undefined), 'config')
  }
  return { file }
}

/** Every setting with its effective value and where it came from (for `hivebench config`). */
export function settingsOf (cmd: Command): Setting[] {
  const sources: Record<string, Source> = { cli: 'flag', env: 'env', config: 'file', default: 'default' }
  return settable(cmd).map(o => {
    const attr = o.attributeName()
    const source = cmd.getOptionValueSource(attr)
    const value = cmd.getOptionValue(attr)
    const key = keyOf(o)
    if (o.long === '--data-dir') {
      const fromEnv = source === undefined && process.env.HIVEBENCH_DATA_DIR !== undefined
      return { key, value: resolveDataDir(value as string | undefined), source: source !== undefined ? sources[source] ?? 'flag' : fromEnv ? 'env' : 'default', env: 'HIVEBENCH_DATA_DIR' }
    }
    return { key, value: value ?? null, source: source === undefined ? 'unset' : sources[source] ?? 'flag', env: envName(o.long as string) }
  })
}
