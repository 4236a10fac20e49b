import { Command, InvalidArgumentError } from 'commander'
import { COMMAND_LIST } from './command-list.js'
import { namedCommand } from './common.js'

type Shell = 'bash' | 'zsh' | 'fish'

interface Tree { name: string, description: string, options: Array<{ flag: string, description: string }> }

function treeOf (program: Command): Tree[] {
  return program.commands.map(c => ({
    name: c.name(),
    description: c.description(),
    options: [...new Map([...c.options, ...program.options].filter(o => o.long !== undefined).map(o => [o.long as string, { flag: o.long as string, description: o.description }])).values()]
  }))
}

function bash (tree: Tree[]): string {
  const cases = tree.map(c => `    ${c.name}) words="${c.options.map(o => o.flag).join(' ')} --help" ;;`).join('\n')
  return `# hivebench completion for bash: eval "$(hivebench completion bash)" in ~/.bashrc
_hivebench () {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${tree.map(c => c.name).join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _hivebench hivebench
`
}

function fish (tree: Tree[]): string {
  const quote = (s: string): string => `'${s.replace(/'/g, "\\'")}'`
  const lines = ['# hivebench completion for fish: hivebench completion fish > ~/.config/fish/completions/hivebench.fish', 'complete -c hivebench -f']
  for (const c of tree) lines.push(`complete -c hivebench -n __fish_use_subcommand -a ${c.name} -d ${quote(c.description)}`)
  for (const c of tree) {
    for (const o of c.options) lines.push(`complete -c hivebench -n '__fish_seen_subcommand_from ${c.name}' -l ${o.flag.slice(2)} -d ${quote(o.description)}`)
  }
  return lines.join('\n') + '\n'
}

/** `hivebench completion bash|zsh|fish`: a script generated from the commands and options themselves. */
/**
 * `hivebench completion`; it loads every command (through `loaders`, passed in by loaders.ts so
 * the two modules do not import each other) to list their options.
 */
export const completionCommand = (loaders: Readonly<Record<string, () => Promise<Command>>>): Command => namedCommand('completion')
  .argument('<shell>', 'bash | zsh | fish', (v: string): Shell => {
    if (v !== 'bash' && v !== 'zsh' && v !== 'fish') throw new InvalidArgumentError('must be bash, zsh or fish')
    return v
  })
  .action(async function (this: Command, shell: Shell) {
    // the CLI loads one command's module per run: load them all to list their options
    const program = this.parent as Command
    const loaded = new Command('hivebench')
    for (const o of program.options) loaded.addOption(o)
    for (const { name } of COMMAND_LIST) loaded.addCommand(name === 'completion' ? new Command('completion').description(this.description()) : await (loaders[name] as () => Promise<Command>)())
    const tree = treeOf(loaded)
    // zsh runs the bash function through its bashcompinit layer
    const script = shell === 'fish' ? fish(tree) : shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${bash(tree)}` : bash(tree)
    process.stdout.write(script)
  })
