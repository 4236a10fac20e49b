import { forgetOrigin } from '../hive/forget.js'
import { command, type DataDirOptions } from './common.js'

export const forgetCommand = command('forget')
  .argument('<peer id>', 'the origin to forget (as `hivebench peers` lists it)')
  .action(async (peerId: string, o: DataDirOptions) => {
    const r = forgetOrigin(o, peerId)
    console.log(`${r.purged ? 'purged' : 'nothing stored for'} ${peerId}; it is now on the deny list of ${r.dataDir} (${r.denied} forgotten origins). A running daemon applies the list at its next start.`)
  })
