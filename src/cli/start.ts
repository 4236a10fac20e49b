import { Option, type Command } from 'commander'
import { applyLayers } from '../config/layers.js'
import { createLogger, LOG_LEVELS, logFormat, logLevel, type LogFormat, type LogLevel } from '../hive/log.js'
import { createDaemon, DAEMON_DEFAULTS } from '../daemon.js'
import { DEFAULT_ID_WORK_BITS } from '../core/limits.js'
import { readTrustFile, updateOriginPolicy } from '../hive/origin-policy.js'
import { mintHint, resolveWorkBits, WORK_BITS_ENV } from '../hive/work-bits.js'
import { ed25519KeyOfPeerId } from '../core/peer-id-text.js'
import { identityWork } from '../protocol/identity-work.js'
import { ensureDataDir, resolveDataDir } from '../store/index.js'
import { command, nonNegativeInt, portOption, positiveInt, type DataDirOptions } from './common.js'

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
  trust?: string
  idWorkBits?: number
  syncInterval: number
  publishDelay: number
  logLevel: LogLevel
  logFormat: LogFormat
}

/** The options of `start`, shared with `config` (which shows what `start` would run with). */
export function withStartOptions (cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (default: $HIVEBENCH_CONFIG, else hivebench.toml or hivebench.json in the data dir)')
    .option('--http-port <n>', 'HTTP API port', portOption, DAEMON_DEFAULTS.http.port)
    .option('--http-host <host>', 'HTTP API address (anything but loopback requires a bearer token)', DAEMON_DEFAULTS.http.host)
    .option('--listen <multiaddr...>', 'libp2p listen addresses', DAEMON_DEFAULTS.listen)
    .option('--bootstrap <multiaddr...>', 'peers to dial (…/p2p/<peer id>)', DAEMON_DEFAULTS.bootstrap)
    .option('--hive <name>', 'hive name: selects the gossip topic', DAEMON_DEFAULTS.hive)
    .option('--export-interval <seconds>', 'seconds between periodic exports (every 12th a full snapshot)', positiveInt('--export-interval'), DAEMON_DEFAULTS.exportIntervalS)
    .option('--publish-delay <seconds>', 'seconds from a recorded outcome to its delta on the wire, at most one delta per period (0: wait for the periodic export)', nonNegativeInt('--publish-delay'), DAEMON_DEFAULTS.publishDelayS)
    .option('--sync-interval <seconds>', 'seconds between syncs with a random peer', positiveInt('--sync-interval'), DAEMON_DEFAULTS.syncIntervalS)
    .addOption(new Option('--mdns', 'discover peers on the LAN by multicast DNS').default(false))
    .addOption(new Option('--no-mdns', 'no LAN discovery (the default)'))
    .option('--hive-key <file>', 'swarm.key of a closed hive (libp2p private network)')
    .option('--allow-origin <peer id...>', 'merge only these origins (allowlist; kept in the data dir, so import-delta honours it too)')
    .option('--trust <file>', 'peer ids (one a line) whose counters the hive ranking counts; others are kept and listed but not counted (kept in the data dir)')
    .option('--id-work-bits <n>', `identity work every origin key must carry (R24), a hive parameter (default $${WORK_BITS_ENV} or ${DEFAULT_ID_WORK_BITS})`, nonNegativeInt('--id-work-bits'))
    .option('--log-level <level>', LOG_LEVELS.join(' | '), v => logLevel(v), 'info')
    .option('--log-format <format>', 'auto (pretty on a terminal, JSON lines otherwise) | pretty | json', v => logFormat(v), 'auto')
    .hook('preAction', (_program, action) => { applyLayers(action) })
}

export const startCommand = withStartOptions(command('start'))
  .addHelpText('after', `
Every option is also the environment variable HIVEBENCH_<OPTION> (e.g. HIVEBENCH_HTTP_PORT) and
the key <option> of the config file (e.g. http-port = 4848); flags > environment > file > defaults.`)
  .action(async (o: StartOptions) => {
    if (o.allowOrigin !== undefined || o.trust !== undefined) {
      updateOriginPolicy(ensureDataDir(resolveDataDir(o.dataDir)), { allow: o.allowOrigin, trust: o.trust === undefined ? undefined : readTrustFile(o.trust) })
    }
    const daemon = await createDaemon({
      logger: createLogger({ level: o.logLevel, format: o.logFormat }),
      publishDelayS: o.publishDelay,
      workBits: o.idWorkBits,
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
    // one line for a person at the terminal; the log lines are for machines (or pretty on a terminal)
    console.error(`hivebench node ${node.network.peerId} in hive "${o.hive}": API ${daemon.http.address()?.url ?? '-'}, libp2p ${node.network.multiaddrs().join(' ')} (Ctrl-C stops it)`)
    // an identity from before R24: peers requiring the work refuse everything it publishes
    const work = identityWork(ed25519KeyOfPeerId(node.network.peerId) ?? new Uint8Array())
    const bits = resolveWorkBits(o.idWorkBits)
    if (work < bits) console.error(mintHint(work, bits))
    await new Promise<void>(resolve => {
      const shutdown = (signal: string): void => {
        node.logger.info({ signal }, 'shutting down')
        daemon.stop().then(resolve, err => { node.logger.error({ err }, 'shutdown failed'); process.exitCode = 2; resolve() })
      }
      process.once('SIGINT', shutdown)
      process.once('SIGTERM', shutdown)
    })
  })
