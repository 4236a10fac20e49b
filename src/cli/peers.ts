import Table from 'cli-table3'
import { originJson, type OriginJson } from '../store/index.js'
import { callDaemon, findDaemon } from './daemon-client.js'
import { printJson, queryCommand, withTracker, type DataDirOptions, type JsonOption } from './common.js'

interface PeersView {
  peers: Array<{ peer_id: string, topic?: boolean, mesh?: boolean, score?: number }>
  origins: OriginJson[]
}

export const peersCommand = queryCommand('peers', 'connected peers (from the running daemon) and known origins')
  .action(async (o: DataDirOptions & JsonOption) => {
    // With a daemon: its live view. Without: the origins in the database (connections unknown).
    const daemon = findDaemon(o.dataDir)
    const view: PeersView = daemon !== null
      ? await callDaemon(o.dataDir, 'GET', '/v1/peers') as PeersView
      : await withTracker(o, t => ({ peers: [], origins: t.store.exchange.origins().map(originJson) }), { readonly: true })
    if (o.json === true) return printJson(view)
    if (daemon === null) console.log('no daemon running: connected peers unknown')
    else console.log(`${view.peers.length} connected peer(s)` + (view.peers.length > 0 ? ': ' + view.peers.map(p => `${p.peer_id} (score ${(p.score ?? 0).toFixed(1)})`).join(', ') : ''))
    const table = new Table({ head: ['origin', 'last seq', 'snapshot seq', 'last seen', 'envelopes', 'keys'], style: { head: [], border: [], compact: true } })
    for (const x of view.origins) table.push([x.self ? `${x.peer_id} (this node)` : x.peer_id, x.last_seq, x.snapshot_seq, x.last_seen ?? '-', x.envelopes, x.keys])
    console.log(table.toString())
  })
