import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { check } from '../scripts/check-layers.js'
import { tempDir } from './helpers/tmp.js'

/** A source tree of the given files (path -> contents) under a temp root. */
function tree (files: Record<string, string>): string {
  const root = tempDir()
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

describe('the import rules npm test checks (scripts/check-layers.ts)', () => {
  it('the repository keeps them', () => {
    expect(check()).toEqual([])
  })

  it('finds a cycle, an upward import, network reaching into protocol, a deep store import and an import of the CLI', () => {
    const root = tree({
      'src/core/a.ts': "import { b } from './b.js'\nexport const a = 1",
      'src/core/b.ts': "import { a } from './a.js'\nexport const b = a",
      'src/store/deep.ts': "import { hive } from '../hive/x.js'\nexport const deep = hive",
      'src/store/index.ts': "export { deep } from './deep.js'",
      'src/protocol/frames.ts': 'export const frames = 1',
      'src/protocol/envelope.ts': 'export const envelope = 1',
      'src/network/n.ts': "import { frames } from '../protocol/frames.js'\nimport { envelope } from '../protocol/envelope.js'\nexport const n = frames + envelope",
      'src/hive/x.ts': "import { deep } from '../store/deep.js'\nimport { go } from '../cli/main.js'\nexport const hive = 1",
      'src/cli/main.ts': 'export const go = 1'
    })
    const problems = check(root)
    expect(problems).toContainEqual('import cycle: src/core/a.ts -> src/core/b.ts -> src/core/a.ts')
    expect(problems).toContainEqual('src/store/deep.ts imports src/hive/x.ts: store (layer 2) may not import hive (layer 6)')
    expect(problems).toContainEqual('src/network/n.ts imports src/protocol/envelope.ts: network/ may import the framing (protocol/frames.ts) only')
    expect(problems).toContainEqual('src/hive/x.ts imports src/store/deep.ts: import the store through src/store/index.ts')
    expect(problems).toContainEqual('src/hive/x.ts imports src/cli/main.ts: nothing imports the CLI')
    expect(problems.some(p => p.includes('src/network/n.ts imports src/protocol/frames.ts'))).toBe(false)
  })
})
