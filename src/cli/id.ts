import { command, withLocalNode, type DataDirOptions } from './common.js'

export const idCommand = command('id', "print this node's peer id (its persistent Ed25519 identity)")
  .action(async (o: DataDirOptions) => {
    await withLocalNode(o, node => { console.log(node.identity.peerId) })
  })
