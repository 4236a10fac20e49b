import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'

/**
 * The state of a git work tree, to tell whether an agent changed any file: HEAD and the tree
 * of every file git would add (tracked and untracked, .gitignore respected), written through a
 * scratch copy of the index so the user's index is never touched. Equal snapshots = the same
 * `git status` and the same diff. Null outside a git work tree (or without git).
 */
export function workTreeSnapshot (cwd: string): string | null {
  const git = (args: string[], env: NodeJS.ProcessEnv = process.env): string | null => {
    const r = spawnSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return r.status === 0 ? r.stdout.trim() : null
  }
  if (git(['rev-parse', '--is-inside-work-tree']) !== 'true') return null
  const head = git(['rev-parse', '--verify', '-q', 'HEAD']) ?? '(no commit yet)'
  const indexPath = git(['rev-parse', '--path-format=absolute', '--git-path', 'index'])
  const top = git(['rev-parse', '--show-toplevel'])
  if (top === null) return null
  const scratch = mkdtempSync(join(tmpdir(), 'hivebench-index-'))
  try {
    const index = join(scratch, 'index')
    // starting from the real index lets git reuse its stat cache instead of hashing every file
    if (indexPath !== null && isAbsolute(indexPath) && existsSync(indexPath)) copyFileSync(indexPath, index)
    const env = { ...process.env, GIT_INDEX_FILE: index }
    if (git(['-C', top, 'add', '-A', '--', '.'], env) === null) return null
    const tree = git(['-C', top, 'write-tree'], env)
    return tree === null ? null : `${head} ${tree}`
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
