import { command, withLocalNode, type DataDirOptions } from './common.js'

export const idCommand = command('id')
  .action(async (o: DataDirOptions) => {
    await withLocalNode(o, node => { console.log(node.identity.peerId) })
  })
