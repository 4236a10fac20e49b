import { Option } from 'commander'
import { createDaemon, DAEMON_DEFAULTS } from '../daemon.js'
import { command, portOption, positiveInt, type DataDirOptions } from './common.js'

interface StartOptions extends DataDirOptions {
  httpPort: number
  httpHost: string
  listen: string[]
  bootstrap: string[]
  hive: string
  exportInterval: number
  mdns: boolean
  hiveKey?: string
  allowOrigin?: string[]
  syncInterval: number
}

export const startCommand = command('start', 'run the node: SQLite store, libp2p gossip and sync, local HTTP API')
  .option('--http-port <n>', 'HTTP API port', portOption, DAEMON_DEFAULTS.http.port)
  .option('--http-host <host>', 'HTTP API address (anything but loopback requires a bearer token)', DAEMON_DEFAULTS.http.host)
  .option('--listen <multiaddr...>', 'libp2p listen addresses', DAEMON_DEFAULTS.listen)
  .option('--bootstrap <multiaddr...>', 'peers to dial (…/p2p/<peer id>)', DAEMON_DEFAULTS.bootstrap)
  .option('--hive <name>', 'hive name: selects the gossip topic', DAEMON_DEFAULTS.hive)
  .option('--export-interval <seconds>', 'seconds between delta exports', positiveInt('--export-interval'), DAEMON_DEFAULTS.exportIntervalS)
  .option('--sync-interval <seconds>', 'seconds between syncs with a random peer', positiveInt('--sync-interval'), DAEMON_DEFAULTS.syncIntervalS)
  .addOption(new Option('--mdns', 'discover peers on the LAN by multicast DNS').default(false))
  .addOption(new Option('--no-mdns', 'no LAN discovery (the default)'))
  .option('--hive-key <file>', 'swarm.key of a closed hive (libp2p private network)')
  .option('--allow-origin <peer id...>', 'merge only these origins (allowlist)')
  .action(async (o: StartOptions) => {
    const daemon = await createDaemon({
      dataDir: o.dataDir,
      listen: o.listen,
      bootstrap: o.bootstrap,
      hive: o.hive,
      mdns: o.mdns,
      hiveKeyFile: o.hiveKey,
      allowOrigins: o.allowOrigin,
      exportIntervalS: o.exportInterval,
      syncIntervalS: o.syncInterval,
      http: { host: o.httpHost, port: o.httpPort }
    })
    const { node } = daemon
    try {
      await daemon.start()
    } catch (err) {
      // start stopped what it had started; this closes the store too, so nothing keeps the process alive
      await daemon.stop().catch(() => {})
      throw err
    }
    // one line for a person at the terminal; the JSON log lines on stdout are for machines
    console.error(`hivebench node ${node.network.peerId} in hive "${o.hive}": API ${daemon.http.address()?.url ?? '-'}, libp2p ${node.network.multiaddrs().join(' ')} (Ctrl-C stops it)`)
    await new Promise<void>(resolve => {
      const shutdown = (signal: string): void => {
        node.logger.info({ signal }, 'shutting down')
        daemon.stop().then(resolve, err => { node.logger.error({ err }, 'shutdown failed'); process.exitCode = 2; resolve() })
      }
      process.once('SIGINT', shutdown)
      process.once('SIGTERM', shutdown)
    })
  })
