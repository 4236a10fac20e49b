import { printJson, queryCommand, withLocalNode, type DataDirOptions, type JsonOption } from './common.js'

export const idCommand = queryCommand('id', "print this node's peer id (its persistent Ed25519 identity)")
  .addHelpText('after', '\nExample:\n  $ hivebench start --bootstrap /ip4/10.0.0.5/tcp/4747/p2p/$(ssh 10.0.0.5 hivebench id)')
  .action(async (o: DataDirOptions & JsonOption) => {
    await withLocalNode(o, node => {
      if (o.json === true) printJson({ peer_id: node.identity.peerId })
      else console.log(node.identity.peerId)
    })
  })
