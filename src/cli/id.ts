import { printJson, queryCommand, withLocalNode, type DataDirOptions, type JsonOption } from './common.js'

export const idCommand = queryCommand('id')
  .action(async (o: DataDirOptions & JsonOption) => {
    await withLocalNode(o, node => {
      if (o.json === true) printJson({ peer_id: node.identity.peerId })
      else console.log(node.identity.peerId)
    })
  })
