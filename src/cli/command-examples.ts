import type { CommandName } from './command-list.js'

/** One `Examples:` entry of a command's `--help`: what it does, then the command line. */
export interface Example {
  readonly what: string
  readonly line: string
}

/**
 * Every command's examples, declared once here (a Record: a command without examples does not
 * compile) and printed the same way by `examplesHelp`, like the EXAMPLES section of `gh`'s help.
 * test/cli-examples.test.ts checks that each command shows one that starts `hivebench <command>`
 * and that commander accepts every example's options and arguments.
 */
export const COMMAND_EXAMPLES: Readonly<Record<CommandName, readonly Example[]>> = {
  start: [
    { what: 'a node on the defaults: data in ~/.hivebench, the HTTP API on loopback', line: 'hivebench start' },
    { what: 'join a team hive through a peer you know', line: 'hivebench start --bootstrap /ip4/192.0.2.7/tcp/4747/p2p/12D3KooW... --hive team' }
  ],
  record: [
    { what: 'after an agent task: it passed in 42.5 s', line: 'hivebench record --task-type bug_fix --tool aider --model gpt-5 --success true --duration 42.5' },
    { what: 'a timeout, counted once however often the hook retries', line: 'hivebench record --task-type refactor --tool claude-code --outcome timeout --id "$TASK_ID"' }
  ],
  run: [
    { what: 'run one agent, grade it with the tests, record the outcome', line: 'hivebench run --task-type bug_fix --tool aider --model gpt-5 --timeout 1800 --check \'npm test\' -- aider --yes-always --message "fix the failing test"' },
    { what: 'let route pick between two agents (exploring now and then)', line: 'hivebench run --task-type bug_fix --choose aider=\'aider --yes-always --message "$PROMPT"\' --choose claude-code=\'claude -p "$PROMPT"\' --check \'npm test\'' }
  ],
  import: [
    { what: 'a CSV of past outcomes (task_type, tool, model, outcome, ...)', line: 'hivebench import results.csv' },
    { what: 'a Terminal-Bench run directory', line: 'hivebench import runs/2026-11-20__10-00-00 --format terminal-bench' },
    { what: 'SWE-bench reports of one agent', line: 'hivebench import logs/run_evaluation --format swe-bench --tool mini-swe-agent' }
  ],
  best: [
    { what: 'the best tool for a task type, with the ranking behind it', line: 'hivebench best bug_fix' },
    { what: 'this node only, the last week, for a script', line: 'hivebench best bug_fix --scope local --window-days 7 --json' }
  ],
  route: [
    { what: 'which arm to use for this task (the same task id gets the same answer)', line: 'hivebench route bug_fix --seed "$TASK_ID" --json' },
    { what: 'always the best arm, never exploring', line: 'hivebench route bug_fix --explore-share 0' }
  ],
  stats: [
    { what: 'every task type\'s arms', line: 'hivebench stats' },
    { what: 'one task type: whose samples count, and how much after the per-origin cap', line: 'hivebench stats --task-type bug_fix --by-origin' }
  ],
  status: [
    { what: 'is the node sharing? (exit 0 ok, 3 degraded, 4 alone, 1 no daemon)', line: 'hivebench status' },
    { what: 'in a script', line: 'hivebench status || echo "the node is not sharing"' }
  ],
  config: [
    { what: 'the settings start would use, and where each comes from', line: 'hivebench config' },
    { what: 'hive from the environment, port from the flag, the rest from the file or the defaults', line: 'HIVEBENCH_HIVE=team hivebench config --http-port 5000' }
  ],
  completion: [
    { what: 'bash: in ~/.bashrc', line: 'eval "$(hivebench completion bash)"' },
    { what: 'zsh: in ~/.zshrc', line: 'eval "$(hivebench completion zsh)"' },
    { what: 'fish', line: 'hivebench completion fish > ~/.config/fish/completions/hivebench.fish' }
  ],
  peers: [
    { what: 'connected peers and every origin whose counters this node holds', line: 'hivebench peers' },
    { what: 'the peer ids only', line: 'hivebench peers --json' }
  ],
  publish: [
    { what: 'share an outcome at once instead of after the publish delay', line: 'hivebench publish' }
  ],
  mcp: [
    { what: 'the MCP server on stdio (an MCP client starts it)', line: 'hivebench mcp' },
    { what: 'add it to Claude Code', line: 'claude mcp add hivebench -- hivebench mcp' }
  ],
  id: [
    { what: 'this node\'s peer id, to give to a peer for --bootstrap or --allow-origin', line: 'hivebench id' }
  ],
  'export-delta': [
    { what: 'the keys changed since the last export, for a peer without a network', line: 'hivebench export-delta --out today.envelopes' },
    { what: 'everything this node holds', line: 'hivebench export-delta --out full.envelopes --snapshot' }
  ],
  'import-delta': [
    { what: 'merge the files two peers exported', line: 'hivebench import-delta peer-a.envelopes peer-b.envelopes' }
  ],
  baseline: [
    { what: 'freeze the counters before an upgrade', line: 'hivebench baseline capture v1 --git-sha "$(git rev-parse HEAD)"' },
    { what: 'the baselines and the last gate verdict of each', line: 'hivebench baseline list' },
    { what: 'one baseline\'s frozen arms', line: 'hivebench baseline show v1' }
  ],
  gate: [
    { what: 'did the upgrade make anything worse since baseline v1? (exit 4 if so)', line: 'hivebench gate --baseline v1' },
    { what: 'two versions of a tool on live data', line: 'hivebench gate --old aider@0.85 --new aider@0.86 --task-type bug_fix' }
  ],
  forget: [
    { what: 'drop a peer\'s counters and never merge it again', line: 'hivebench forget 12D3KooWQhKcAzSuWzXHzyS3PUDGpmWHJzWxxAqoE2xGHcVfJ7Hm' }
  ],
  trend: [
    { what: 'is each arm improving or declining over the last two weeks?', line: 'hivebench trend bug_fix --days 14' },
    { what: 'one arm', line: 'hivebench trend bug_fix --arm aider/gpt-5' }
  ]
}

/** The `Examples:` section of a command's help (empty for a name with none, e.g. a subcommand). */
export function examplesHelp (name: string): string {
  const examples = (COMMAND_EXAMPLES as Readonly<Record<string, readonly Example[] | undefined>>)[name] ?? []
  if (examples.length === 0) return ''
  return '\nExamples:\n' + examples.map(e => `  # ${e.what}\n  $ ${e.line}`).join('\n\n')
}
