import type { OriginJson } from '../tracker.js'
import { callDaemon, findDaemon } from './daemon-client.js'
import { textTable } from './table.js'
import { say } from './terminal.js'
import { printJson, queryCommand, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface PeersView {
  peers: Array<{ peer_id: string, topic?: boolean, mesh?: boolean, score?: number }>
  origins: OriginJson[]
}

const yesNo = (x: boolean | undefined): string => x === undefined ? '-' : x ? 'yes' : 'no'

export const peersCommand = queryCommand('peers')
  .action(async (o: DataDirOptions & JsonOption) => {
    // With a daemon: its live view. Without: the origins in the database (connections unknown).
    const daemon = findDaemon(o.dataDir)
    const view: PeersView = daemon !== null
      ? await callDaemon(o.dataDir, 'GET', '/v1/peers') as PeersView
      : await withTracker(o, t => ({ peers: [], origins: t.origins() }), { readonly: true })
    if (o.json === true) return printJson(view)
    say(daemon === null ? 'no daemon running: connected peers unknown' : `${view.peers.length} connected peer(s)`)
    if (view.peers.length > 0) {
      console.log(textTable(['peer', 'score', 'in topic', 'in mesh'],
        view.peers.map(p => [p.peer_id, (p.score ?? 0).toFixed(1), yesNo(p.topic), yesNo(p.mesh)])))
    }
    say('\nknown origins')
    console.log(textTable(['origin', 'last seq', 'snapshot seq', 'first seen', 'last seen', 'envelopes', 'keys'],
      view.origins.map(x => [x.self ? `${x.peer_id} (this node)` : x.peer_id, String(x.last_seq), String(x.snapshot_seq), x.first_seen ?? '-', x.last_seen ?? '-', String(x.envelopes), String(x.keys)])))
  })
