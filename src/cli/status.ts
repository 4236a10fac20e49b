import { callDaemon } from './daemon-client.js'
import { textTable } from './table.js'
import { say } from './terminal.js'
import { printJson, queryCommand, type DataDirOptions, type JsonOption } from './common.js'

interface NodeStatus {
  peer_id: string
  hive: string
  connected_peers: number
  health: 'ok' | 'alone' | 'degraded'
  bootstrap: Array<{ address: string, last_dial_error: string | null, connected: boolean }>
  next_export?: { changes_at: string | null, periodic_at: string | null, periodic_kind: string }
}

/** Exit codes of `status`, like `gh auth status`: the verdict is scriptable without parsing. */
export const STATUS_EXIT = { ok: 0, degraded: 3, alone: 4 } as const

const VERDICT: Record<NodeStatus['health'], string> = {
  ok: 'ok: connected to this hive',
  degraded: 'degraded: connected, but some bootstrap peers fail',
  alone: 'alone: no peer of this hive connected; nothing is shared until one is'
}

export const statusCommand = queryCommand('status')
  .addHelpText('after', '\nExit codes: 0 ok, 3 degraded, 4 alone, 1 no daemon running.')
  .action(async (o: DataDirOptions & JsonOption) => {
    const body = await callDaemon(o.dataDir, 'GET', '/v1/status') as { node: NodeStatus }
    const node = body.node
    process.exitCode = STATUS_EXIT[node.health]
    if (o.json === true) return printJson(body)
    say(`${VERDICT[node.health]} (hive "${node.hive}", ${node.connected_peers} peer(s) connected)`)
    if (node.bootstrap.length > 0) {
      console.log(textTable(['bootstrap address', 'state'],
        node.bootstrap.map(b => [b.address, b.connected ? 'connected' : b.last_dial_error ?? 'not dialled yet'])))
    }
    const next = node.next_export
    if (next !== undefined) say(`next export: changes looked for at ${next.changes_at ?? '-'}, periodic ${next.periodic_kind} at ${next.periodic_at ?? '-'}`)
  })
