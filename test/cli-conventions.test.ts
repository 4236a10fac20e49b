import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/tmp.js'

describe('CLI conventions', () => {
  it('global options before or after the command', () => {
    const dir = tempDir()
    expect(runCli(['--data-dir', dir, 'record', '--task-type', 'bug_fix', '--tool', 'aider', '--success', 'true']).code).toBe(0)
    const before = runCli(['--data-dir', dir, '--json', 'stats'])
    const after = runCli(['stats', '--data-dir', dir, '--json'])
    expect(before.code).toBe(0)
    expect(JSON.parse(before.stdout)).toEqual(JSON.parse(after.stdout))
    expect(JSON.parse(before.stdout).task_types[0].task_type).toBe('bug_fix')
  })

  it('one error prefix for every usage error, commander\'s included; --version', () => {
    for (const args of [['stats', '--bogus'], ['bogus'], ['best'], ['best', 'x', '--scope', 'galaxy'], ['completion', 'tcsh']]) {
      const r = runCli(args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr, args.join(' ')).toMatch(/^hivebench: /)
      expect(r.stderr, args.join(' ')).not.toMatch(/^error:/m)
    }
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('route takes every option /v1/route takes (model, window, min samples, scope, explore share, seed)', () => {
    const dir = tempDir()
    const file = join(dir, 'o.csv')
    writeFileSync(file, 'task_type,tool,model,outcome\n' + Array.from({ length: 6 }, () => 'bug_fix,aider,m1,pass\nbug_fix,aider,m2,grader_fail').join('\n') + '\n')
    expect(runCli(['import', file, '--data-dir', dir]).code).toBe(0)
    const r = runCli(['route', 'bug_fix', '--data-dir', dir, '--model', 'm2', '--window-days', '7', '--min-samples', '3', '--explore-share', '0', '--seed', '1', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'exploit', arm: { tool: 'aider', model: 'm2' } })
  })

  it('completion bash|zsh|fish: scripts generated from the commands; bash completes commands and options', () => {
    const script = runCli(['completion', 'bash']).stdout
    const complete = (words: string[]): string => spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _hivebench; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim()
    expect(complete(['hivebench', 'sta'])).toBe('start stats status')
    expect(complete(['hivebench', 'start', '--publish'])).toBe('--publish-delay')
    expect(runCli(['completion', 'zsh']).stdout).toContain('bashcompinit')
    expect(runCli(['completion', 'fish']).stdout).toContain("complete -c hivebench -n '__fish_seen_subcommand_from best' -l window-days")
  })

  it('--json on every command: record, import, id, export-delta, import-delta too', () => {
    const dir = tempDir()
    const rec = runCli(['--json', 'record', '--data-dir', dir, '--task-type', 'bug_fix', '--tool', 'aider', '--success', 'true'])
    expect(JSON.parse(rec.stdout)).toMatchObject({ recorded: 1 })
    const file = join(dir, 'o.csv')
    writeFileSync(file, 'task_type,tool,outcome,colour\na,x,pass,red\n')
    expect(JSON.parse(runCli(['import', file, '--data-dir', dir, '--json']).stdout)).toMatchObject({ file, recorded: 1, ignored_columns: ['colour'] })
    const id = JSON.parse(runCli(['id', '--data-dir', dir, '--json']).stdout)
    expect(id.peer_id).toMatch(/^12D3KooW/)
    const out = join(dir, 'd.envelopes')
    expect(JSON.parse(runCli(['export-delta', '--out', out, '--data-dir', dir, '--json']).stdout)).toMatchObject({ written: true, file: out, kind: 'delta', entries: 2 })
    expect(JSON.parse(runCli(['--json', '--data-dir', tempDir(), 'import-delta', out]).stdout)).toMatchObject([{ verdict: 'accepted', origin: id.peer_id }])
  })
})
