import { StateError } from './errors.js'
import { readDaemonFile, removeDaemonFile, writeDaemonFile } from './hive/daemon-file.js'
import { listenError, startAll, stopAll, type Startable } from './hive/lifecycle.js'
import { createHiveNode, NODE_DEFAULTS, type HiveNode, type NodeOptions } from './hive/node.js'
import { httpTokenPath } from './http/auth.js'
import { createHttpServer, DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, type HttpServer } from './http/server.js'

export interface DaemonOptions extends Partial<NodeOptions> {
  /** the local HTTP API */
  http: { host: string, port: number, token?: string }
}

/** The node's defaults plus the HTTP API's: 127.0.0.1:7878. */
export const DAEMON_DEFAULTS = {
  ...NODE_DEFAULTS,
  http: { host: DEFAULT_HTTP_HOST, port: DEFAULT_HTTP_PORT }
}

export interface Daemon extends Startable {
  readonly node: HiveNode
  readonly http: HttpServer
  /** starts the node, then the HTTP API, then writes the daemon file; on any failure stops what started, in reverse, and rejects */
  start: () => Promise<void>
  /** removes the daemon file, stops the HTTP API, then the node (final export, store closed); safe twice and after a failed start */
  stop: () => Promise<void>
}

/**
 * `hivebench start`: the node (src/hive/node.ts), its HTTP API (src/http/) and the daemon file
 * that tells CLI commands where the API is. Composed here, above both, so the hive layer never
 * imports the HTTP layer.
 */
export async function createDaemon (options: DaemonOptions): Promise<Daemon> {
  const node = await createHiveNode(options)
  const dataDir = node.local.tracker.store.dataDir
  const http = createHttpServer({
    tracker: node.local.tracker,
    metrics: node.metrics,
    host: options.http.host,
    port: options.http.port,
    token: options.http.token,
    tokenFile: httpTokenPath(dataDir),
    node: {
      status: () => ({ ...node.status(), http: http.address()?.url ?? null }),
      peers: node.peers,
      exportNow: async () => ({ ...await node.exporter.exportNow() })
    },
    logger: node.logger.child({ component: 'http' })
  })
  const daemonFile: Startable = {
    async start () {
      writeDaemonFile(dataDir, { pid: process.pid, url: http.address()?.url ?? '', peerId: node.network.peerId })
    },
    async stop () {
      removeDaemonFile(dataDir, process.pid)
    }
  }
  // a taken port gets one line naming it and the flag to change (the node does the same for libp2p's)
  const httpApi: Startable = {
    async start () {
      try { await http.start() } catch (err) { throw listenError(err, 'http') }
    },
    stop: http.stop
  }
  const components = [node, httpApi, daemonFile]
  let stopping: Promise<void> | undefined

  return {
    node,
    http,
    async start () {
      // one data dir is one node: refuse before binding any port
      const running = readDaemonFile(dataDir)
      if (running !== null && running.pid !== process.pid) {
        throw new StateError('DAEMON_RUNNING', `a hivebench daemon (pid ${running.pid}, ${running.url}) already runs on ${dataDir}: one data dir is one node`)
      }
      await startAll(components)
      node.logger.info({ peerId: node.network.peerId, addresses: node.network.multiaddrs(), http: http.address()?.url, dataDir }, 'hivebench daemon started')
    },
    stop () {
      stopping ??= stopAll(components)
      return stopping
    }
  }
}
