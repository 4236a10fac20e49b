import type { OriginJson } from '../tracker.js'
import { callDaemon, findDaemon } from './daemon-client.js'
import { textTable } from './table.js'
import { printJson, queryCommand, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface PeersView {
  peers: Array<{ peer_id: string, topic?: boolean, mesh?: boolean, score?: number }>
  origins: OriginJson[]
}

export const peersCommand = queryCommand('peers')
  .action(async (o: DataDirOptions & JsonOption) => {
    // With a daemon: its live view. Without: the origins in the database (connections unknown).
    const daemon = findDaemon(o.dataDir)
    const view: PeersView = daemon !== null
      ? await callDaemon(o.dataDir, 'GET', '/v1/peers') as PeersView
      : await withTracker(o, t => ({ peers: [], origins: t.origins() }), { readonly: true })
    if (o.json === true) return printJson(view)
    if (daemon === null) console.log('no daemon running: connected peers unknown')
    else console.log(`${view.peers.length} connected peer(s)` + (view.peers.length > 0 ? ': ' + view.peers.map(p => `${p.peer_id} (score ${(p.score ?? 0).toFixed(1)})`).join(', ') : ''))
    console.log(textTable(['origin', 'last seq', 'snapshot seq', 'first seen', 'last seen', 'envelopes', 'keys'],
      view.origins.map(x => [x.self ? `${x.peer_id} (this node)` : x.peer_id, String(x.last_seq), String(x.snapshot_seq), x.first_seen ?? '-', x.last_seen ?? '-', String(x.envelopes), String(x.keys)])))
  })
