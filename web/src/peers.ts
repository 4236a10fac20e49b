import { get } from './api.js'
import { fill, h, table } from './dom.js'
import { ago, int, shortId } from './format.js'
import type { Page } from './page.js'

interface Peers {
  peers: Array<{ peer_id: string, topic?: boolean, mesh?: boolean, score?: number }>
  origins?: Array<{ peer_id: string, self: boolean, last_seq: number, snapshot_seq: number, last_seen: string | null, envelopes: number, keys: number }>
}
interface NodeStatus {
  peer_id?: string
  hive?: string
  addresses?: string[]
  started_at?: string
  last_export?: { at?: string } | null
  envelopes_received?: Record<string, number>
  bootstrap?: Array<{ address: string, last_dial_error: string | null }>
}

const yesNo = (b: boolean | undefined): string => b === true ? 'yes' : 'no'
const idCell = (id: string): HTMLElement => h('code', { title: id }, shortId(id))

/** Connections, origins, envelope verdicts and bootstrap dials, from /v1/peers and /v1/status. */
export function peersPage (): Page {
  const body = h('div', {})
  return {
    title: 'Peers',
    // connections and dials change without a database write: not covered by the change stamp
    pollSeconds: 10,
    mount: (main) => { fill(main, h('h1', {}, 'Peers'), body) },
    refresh: async () => {
      const [peers, status] = await Promise.all([get<Peers>('/v1/peers'), get<{ node: NodeStatus | null }>('/v1/status')])
      const node = status.node
      if (node === null) return fill(body, h('p', {}, 'This API serves a tracker without a node: no peers. Start one with hivebench start.'))
      const verdicts = Object.entries(node.envelopes_received ?? {}).sort()
      fill(body,
        h('section', { 'aria-labelledby': 'h-node' },
          h('h2', { id: 'h-node' }, 'This node'),
          h('dl', { class: 'facts' },
            h('dt', {}, 'Peer id'), h('dd', {}, h('code', {}, node.peer_id ?? '–')),
            h('dt', {}, 'Hive'), h('dd', {}, node.hive ?? '–'),
            h('dt', {}, 'Listening on'), h('dd', {}, (node.addresses ?? []).length === 0 ? 'nowhere' : h('ul', {}, (node.addresses ?? []).map(a => h('li', {}, h('code', {}, a))))),
            h('dt', {}, 'Last export'), h('dd', {}, ago(node.last_export?.at)))),
        h('section', { 'aria-labelledby': 'h-connected' },
          h('h2', { id: 'h-connected' }, `Connected peers (${peers.peers.length})`),
          peers.peers.length === 0 ? h('p', {}, 'No peer connected.') : table('Connected peers', ['Peer', 'On the topic', 'In the mesh', 'Score'],
            peers.peers.map(p => [idCell(p.peer_id), yesNo(p.topic), yesNo(p.mesh), p.score === undefined ? '–' : p.score.toFixed(1)]), { id: 'peers-table' })),
        h('section', { 'aria-labelledby': 'h-origins' },
          h('h2', { id: 'h-origins' }, `Origins known (${(peers.origins ?? []).length})`),
          table('Origins: nodes whose counters this node holds', ['Origin', 'Last seq', 'Snapshot seq', 'Last seen', 'Envelopes held', 'Keys held'],
            (peers.origins ?? []).map(o => [o.self ? h('span', {}, idCell(o.peer_id), ' (this node)') : idCell(o.peer_id), int(o.last_seq), int(o.snapshot_seq), ago(o.last_seen), int(o.envelopes), int(o.keys)]), { id: 'origins-table' })),
        h('section', { 'aria-labelledby': 'h-verdicts' },
          h('h2', { id: 'h-verdicts' }, 'Envelopes received since start'),
          verdicts.length === 0 ? h('p', {}, 'None yet.') : table('Envelopes by verdict and rule', ['Verdict', 'Rule', 'Count'],
            verdicts.map(([k, n]) => { const [verdict, rule] = k.split(':'); return [verdict, rule ?? '–', int(n)] }), { id: 'verdicts-table' })),
        node.bootstrap === undefined ? null : h('section', { 'aria-labelledby': 'h-bootstrap' },
          h('h2', { id: 'h-bootstrap' }, 'Bootstrap addresses'),
          node.bootstrap.length === 0 ? h('p', {}, 'None configured.') : table('Bootstrap addresses and their last dial', ['Address', 'Last dial error'],
            node.bootstrap.map(b => [h('code', {}, b.address), b.last_dial_error == null ? 'none' : h('span', { class: 'bad' }, b.last_dial_error)]), { id: 'bootstrap-table' })))
    }
  }
}
