import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { createHiveNetwork, generateHiveKey, type HiveNetwork, type HiveNetworkOptions } from '../../src/network/index.js'

// Real libp2p nodes on 127.0.0.1 only (mDNS off, no public bootstrap). Every node is stopped
// after its test.

interface TestNode {
  net: HiveNetwork
  /** accepted messages, as onMessage saw them */
  received: Array<{ data: Uint8Array, from: string }>
  /** every message the validator was asked about */
  validated: Uint8Array[]
  connects: string[]
}

const running: HiveNetwork[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map(async net => { await net.stop() }))
})

/** requestSync, with the frames collected */
async function collect (net: HiveNetwork, peer: string, request: Uint8Array): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = []
  await net.requestSync(peer, request, frame => { frames.push(frame) })
  return frames
}

async function startNode (options: Partial<HiveNetworkOptions> = {}): Promise<TestNode> {
  const node: Omit<TestNode, 'net'> = { received: [], validated: [], connects: [] }
  const validate = options.validate ?? (() => 'accept' as const)
  const net = await createHiveNetwork({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    hive: 'test',
    mdns: false,
    maxMessageBytes: 64 * 1024,
    syncHandler: () => [],
    heartbeatIntervalMs: 200,
    ...options,
    validate: async (data, from) => {
      node.validated.push(data)
      return await validate(data, from)
    },
    onMessage: (data, from) => { node.received.push({ data, from }) },
    onPeerConnected: (peer) => { node.connects.push(peer) }
  })
  running.push(net)
  await net.start()
  return { net, ...node }
}

/** A second node bootstrapped off the first; resolves once each sees the other on the topic. */
async function startPeerOf (first: TestNode, options: Partial<HiveNetworkOptions> = {}): Promise<TestNode> {
  const second = await startNode({ bootstrap: [first.net.multiaddrs()[0]], ...options })
  await waitFor(() => first.net.topicPeers().includes(second.net.peerId) && second.net.topicPeers().includes(first.net.peerId))
  return second
}

async function waitFor (condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(25)
  }
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

describe('gossip', () => {
  it('delivers a message across three nodes chained by bootstrap, once each', async () => {
    const a = await startNode()
    const b = await startPeerOf(a)
    const c = await startPeerOf(b)
    // b forwards only to its mesh: wait until a and c are both in it
    await waitFor(() => b.net.meshPeers().length === 2)

    expect((await a.net.publish(bytes(1, 2, 3))).recipients).toBeGreaterThan(0)
    await waitFor(() => c.received.length === 1)
    await sleep(300)

    expect(b.received).toEqual([{ data: bytes(1, 2, 3), from: a.net.peerId }])
    expect(c.received).toEqual([{ data: bytes(1, 2, 3), from: b.net.peerId }])
    expect(a.received).toEqual([])
    expect(a.connects).toEqual([b.net.peerId])
    expect(c.connects).toEqual([b.net.peerId])
    expect(b.connects.sort()).toEqual([a.net.peerId, c.net.peerId].sort())
  })

  it('drops a rejected message and drives the sender score negative', async () => {
    const a = await startNode()
    const b = await startPeerOf(a, { validate: data => data[0] === 0xff ? 'reject' : 'accept' })

    await a.net.publish(bytes(0xff, 1))
    await waitFor(() => b.validated.length === 1)
    await waitFor(() => b.net.peerScore(a.net.peerId) < 0)

    // one reject lowers the score but does not graylist: later valid messages still arrive
    await a.net.publish(bytes(2))
    await waitFor(() => b.received.length === 1)
    expect(b.received.map(m => m.data)).toEqual([bytes(2)])
  })

  it('drops an ignored message without penalising the sender', async () => {
    const a = await startNode()
    const b = await startPeerOf(a, { validate: () => 'ignore' })

    await a.net.publish(bytes(7))
    await waitFor(() => b.validated.length === 1)
    await sleep(500) // more than two heartbeats: the score cache has been refreshed

    expect(b.received).toEqual([])
    expect(b.net.peerScore(a.net.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('validates a flooding peer within its byte budget, ignores the rest without penalty, and still hears another peer', async () => {
    const started = Date.now()
    const victim = await startNode({ gossipBudget: { bytesPerSecond: 10_000, burstBytes: 20_000, minChargeBytes: 1000 } })
    const flooder = await startPeerOf(victim)
    const other = await startPeerOf(victim)
    await waitFor(() => victim.net.meshPeers().length === 2)
    // 300 distinct messages of 500 bytes, each charged 1,000: 20 fit the burst, then 10 a second
    for (let i = 0; i < 300; i++) await flooder.net.publish(Uint8Array.from({ length: 500 }, (_, j) => j === 0 ? 1 : (i >> (8 * (j % 2))) & 0xff))
    await other.net.publish(bytes(2, 2))
    await waitFor(() => victim.validated.some(m => m[0] === 2))
    await sleep(500)
    const elapsedS = (Date.now() - started) / 1000
    const fromFlooder = victim.validated.filter(m => m[0] === 1).length
    expect(fromFlooder).toBeGreaterThanOrEqual(20)
    expect(fromFlooder).toBeLessThanOrEqual(20 + Math.ceil(10 * elapsedS))
    expect(victim.net.peerScore(flooder.net.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('rejects messages over its own size limit before the validator, even from a peer with a larger one', async () => {
    const a = await startNode({ maxMessageBytes: 64 * 1024 })
    const b = await startPeerOf(a, { maxMessageBytes: 1024 })

    await expect(b.net.publish(new Uint8Array(1025))).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' })
    await a.net.publish(new Uint8Array(2048))
    await waitFor(() => b.net.peerScore(a.net.peerId) < 0)
    expect(b.validated).toEqual([])
    expect(b.received).toEqual([])
  })

  it('identifies messages by content: the same bytes from two publishers arrive once', async () => {
    const b = await startNode()
    const a = await startPeerOf(b)
    const c = await startPeerOf(b)

    expect((await a.net.publish(bytes(9, 9))).recipients).toBe(1)
    expect((await a.net.publish(bytes(9, 9))).recipients).toBe(0)
    await waitFor(() => b.received.length === 1)
    await c.net.publish(bytes(9, 9))
    await sleep(500)

    expect(b.received).toHaveLength(1)
  })

  it('keeps hives apart', async () => {
    const a = await startNode({ hive: 'alpha' })
    const b = await startNode({ hive: 'beta', bootstrap: [a.net.multiaddrs()[0]] })
    await waitFor(() => a.net.connectedPeers().includes(b.net.peerId))

    expect((await a.net.publish(bytes(1))).recipients).toBe(0)
    await sleep(300)
    expect(a.net.topicPeers()).toEqual([])
    expect(b.net.topicPeers()).toEqual([])
    expect(b.validated).toEqual([])
  })

  it('publishes with no peers without error', async () => {
    const a = await startNode()
    expect(await a.net.publish(bytes(1))).toEqual({ recipients: 0 })
  })
})

describe('private network', () => {
  it('connects nodes sharing a key and refuses others', async () => {
    const key = generateHiveKey()
    // a wrong key garbles the handshake, which then only fails by timing out
    const connectTimeoutMs = 1000
    const a = await startNode({ privateNetworkKey: key, connectTimeoutMs })
    const sameKey = await startNode({ privateNetworkKey: key, connectTimeoutMs })
    const otherKey = await startNode({ privateNetworkKey: generateHiveKey(), connectTimeoutMs })
    const noKey = await startNode({ connectTimeoutMs })
    const addr = a.net.multiaddrs()[0]

    expect(await sameKey.net.dial(addr)).toBe(a.net.peerId)
    await Promise.all([
      expect(otherKey.net.dial(addr)).rejects.toThrow(),
      expect(noKey.net.dial(addr)).rejects.toThrow()
    ])
    expect(a.net.connectedPeers()).toEqual([sameKey.net.peerId])
  })
})

describe('sync', () => {
  // request = [n, size]: answer n frames of `size` bytes, the i-th filled with i
  const counting = async function * (request: Uint8Array): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < request[0]; i++) yield new Uint8Array(request[1]).fill(i)
  }

  it('streams response frames and enforces the frame count and size limits', async () => {
    const a = await startNode({ syncHandler: counting })
    const b = await startPeerOf(a, { sync: { maxFrames: 5, maxFrameBytes: 1000 } })

    const frames = await collect(b.net, a.net.peerId, bytes(5, 100))
    expect(frames).toEqual([0, 1, 2, 3, 4].map(i => new Uint8Array(100).fill(i)))
    expect(await collect(b.net, a.net.peerId, bytes(0, 0))).toEqual([])

    await expect(collect(b.net, a.net.peerId, bytes(6, 1))).rejects.toMatchObject({ code: 'SYNC_LIMIT' })
    await expect(collect(b.net, 'not-a-peer', bytes(1, 1))).rejects.toMatchObject({ field: 'peerId' })
    expect(await collect(b.net, a.net.peerId, bytes(1, 0))).toEqual([new Uint8Array(0)])
    // a frame over the requester's limit is refused, whatever the responder's own limit
    const bigger = await startNode({ syncHandler: () => [new Uint8Array(1001)] })
    await b.net.dial(bigger.net.multiaddrs()[0])
    await expect(collect(b.net, bigger.net.peerId, bytes(0))).rejects.toMatchObject({ code: 'SYNC_LIMIT' })

    // the responder is unharmed by aborted exchanges
    expect(await collect(b.net, a.net.peerId, bytes(2, 1))).toHaveLength(2)
  })

  it('streams an answer many times the muxer window, waiting for drains, intact', async () => {
    // 100 x 60 KB = 6 MB against yamux's 256 KiB window: the responder's send() reports a full
    // buffer again and again and must wait for each drain
    const a = await startNode({ syncHandler: function * () { for (let i = 0; i < 100; i++) yield new Uint8Array(60_000).fill(i) } })
    const b = await startPeerOf(a, { sync: { maxTotalBytes: 10_000_000 } })

    const frames = await collect(b.net, a.net.peerId, bytes(0))
    expect(frames).toHaveLength(100)
    expect(frames.every((frame, i) => frame.byteLength === 60_000 && frame.every(byte => byte === i))).toBe(true)
  })

  it('turns a handler error into a failed request, not a crashed node', async () => {
    const a = await startNode({
      syncHandler: async function * (request) {
        yield bytes(1)
        if (request[0] === 1) throw new Error('store on fire')
      }
    })
    const b = await startPeerOf(a)

    await expect(collect(b.net, a.net.peerId, bytes(1))).rejects.toMatchObject({ code: 'SYNC_FAILED' })
    expect(await collect(b.net, a.net.peerId, bytes(0))).toEqual([bytes(1)])
  })

  it('hands each frame over as it arrives, reading no further while it is handled', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const a = await startNode({
      syncHandler: async function * () {
        yield bytes(1)
        await gate // the rest of the answer waits until the requester has seen the first frame
        yield bytes(2)
      }
    })
    const b = await startPeerOf(a)
    const seen: number[] = []
    const tally = await b.net.requestSync(a.net.peerId, bytes(0), frame => {
      seen.push(frame[0])
      if (frame[0] === 1) release()
    })
    expect(seen).toEqual([1, 2])
    expect(tally).toEqual({ frames: 2, bytes: 2, protocolId: '/hivebench/sync/1.0.0' }) // a request given as bytes is version 1
  })

  it('holds a peer streaming junk to a few frames in flight while a frame is being handled, then reads on', async () => {
    // 60 frames of 1 MiB; the responder pulls the next one only when its send window has room
    const junk = new Uint8Array(1024 * 1024).fill(0xc1)
    let pulled = 0
    const a = await startNode({ sync: { maxFrameBytes: 2 * 1024 * 1024 }, syncHandler: function * () { for (let i = 0; i < 60; i++) { pulled++; yield junk } } })
    const b = await startPeerOf(a, { sync: { maxFrameBytes: 2 * 1024 * 1024, timeoutMs: 60_000 } })
    let heldAt = 0
    let seen = 0
    const tally = await b.net.requestSync(a.net.peerId, bytes(0), async () => {
      // hold the 10th frame (the responder has waited for drains before) until the responder
      // stops advancing: whatever it pulled by then sits in a buffer between the two nodes
      // (before: all 60 MiB, read ahead by the requester or queued by the responder)
      if (++seen !== 10) return
      let last = -1
      while (pulled !== last) {
        last = pulled
        await sleep(300)
      }
      heldAt = pulled
    })
    // 10 handled, the 2 MiB window, the responder's write buffer and generator step
    expect(heldAt).toBeLessThanOrEqual(15)
    expect(tally).toEqual({ frames: 60, bytes: 60 * 1024 * 1024, protocolId: '/hivebench/sync/1.0.0' })
  })

  it('serves at most servedPerPeer streams of one peer at once: the next is reset at once, not queued', async () => {
    const a = await startNode({ syncHandler: async () => await new Promise<never>(() => {}), syncStreams: { servedPerPeer: 2 } })
    const b = await startPeerOf(a, { sync: { timeoutMs: 4000 } })
    const hanging = [collect(b.net, a.net.peerId, bytes(1)), collect(b.net, a.net.peerId, bytes(1))]
    for (const h of hanging) h.catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 300))
    const started = Date.now()
    await expect(collect(b.net, a.net.peerId, bytes(1))).rejects.toMatchObject({ code: 'SYNC_FAILED' })
    expect(Date.now() - started).toBeLessThan(2000)
    await Promise.allSettled(hanging)
  })

  it('times out a request whose answer never comes', async () => {
    const a = await startNode({ syncHandler: async () => await new Promise<never>(() => {}) })
    const b = await startPeerOf(a, { sync: { timeoutMs: 300 } })

    await expect(collect(b.net, a.net.peerId, bytes(1))).rejects.toMatchObject({ code: 'SYNC_TIMEOUT' })
  })
})

describe('bootstrap', () => {
  it('redials a bootstrap peer that was down, and reports each reconnection', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const first = await startNode({ privateKey })
    const addr = first.net.multiaddrs()[0]
    const listen = [addr.replace(/\/p2p\/.*$/, '')]
    await first.net.stop()

    const b = await startNode({ bootstrap: [addr], bootstrapRedialMs: 100 })
    await sleep(200) // the bootstrap module's one dial has failed by now
    const second = await startNode({ privateKey, listen })
    await waitFor(() => b.connects.length === 1)
    await second.net.stop()
    await waitFor(() => b.net.connectedPeers().length === 0)
    await startNode({ privateKey, listen })
    await waitFor(() => b.connects.length === 2)

    expect(b.connects).toEqual([second.net.peerId, second.net.peerId])
  })

  it('reconnects a dropped bootstrap peer at once (KEEP_ALIVE tag), long before the redial loop', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const first = await startNode({ privateKey })
    const addr = first.net.multiaddrs()[0]
    const listen = [addr.replace(/\/p2p\/.*$/, '')]
    const b = await startNode({ bootstrap: [addr], bootstrapRedialMs: 600_000 })
    await waitFor(() => b.connects.length === 1)

    await first.net.stop()
    await waitFor(() => b.net.connectedPeers().length === 0)
    await startNode({ privateKey, listen })
    // libp2p's reconnect queue retries after 1, 2, 4 ... s; the loop would wait 10 minutes
    await waitFor(() => b.connects.length === 2, 15_000)

    expect(b.connects).toEqual([first.net.peerId, first.net.peerId])
  })
})

describe('lifecycle', () => {
  it('stops safely any number of times, started or not', async () => {
    const a = await startNode()
    await a.net.stop()
    await a.net.stop()
    await expect(a.net.publish(bytes(1))).rejects.toMatchObject({ code: 'NETWORK_NOT_STARTED' })

    const never = await createHiveNetwork({
      privateKey: await generateKeyPair('Ed25519'),
      listen: [],
      bootstrap: [],
      hive: 'test',
      mdns: false,
      maxMessageBytes: 1024,
      validate: () => 'accept',
      onMessage: () => {},
      syncHandler: () => []
    })
    await never.stop()
    await never.stop()
  })

  it('keeps its peer id across restarts with the same key', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const first = await startNode({ privateKey })
    const id = first.net.peerId
    await first.net.stop()
    const second = await startNode({ privateKey })

    expect(second.net.peerId).toBe(id)
    expect(id).toBe(peerIdFromPrivateKey(privateKey).toString())
  })

  it('refuses bad configuration with the field named', async () => {
    const base = {
      privateKey: await generateKeyPair('Ed25519'),
      listen: [],
      bootstrap: [],
      hive: 'test',
      mdns: false,
      maxMessageBytes: 1024,
      validate: () => 'accept' as const,
      onMessage: () => {},
      syncHandler: () => []
    }
    await expect(createHiveNetwork({ ...base, hive: 'a/b' })).rejects.toMatchObject({ field: 'hive' })
    await expect(createHiveNetwork({ ...base, bootstrap: ['/ip4/127.0.0.1/tcp/1'] })).rejects.toMatchObject({ field: 'bootstrap', rule: 'peer_id' })
    await expect(createHiveNetwork({ ...base, listen: ['not-an-addr'] })).rejects.toMatchObject({ field: 'listen' })
    await expect(createHiveNetwork({ ...base, privateNetworkKey: new Uint8Array(32) })).rejects.toMatchObject({ code: 'HIVE_KEY_INVALID' })
    await expect(createHiveNetwork({ ...base, sync: { maxFrames: 0 } })).rejects.toMatchObject({ field: 'sync.maxFrames' })
  })
})
