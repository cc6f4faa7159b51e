// A pool, wired: its LevelDB store and settings, its key (the owner of donated vessels, and its libp2p identity),
// a libp2p node in the DHT serving /flotilla/pool/1.0.0 with the node manager's protocol service, the allocator,
// the donated nodes and the timers that end leases, re-check nodes, look the pool's key up and reconcile intents.
//   const pool = await PoolManager.start({ dataDir, keysDir, listen: ['/ip4/127.0.0.1/tcp/0'] })
//   ... pool.addresses ... await pool.stop()
import { writeFile } from 'node:fs/promises'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { keepJoined, type DiscoveryNode } from '../p2p/discovery-services.js'
import { createNodeLibp2p } from '../p2p/libp2p-node.js'
import { peerIdOf } from '../p2p/addresses.js'
import type { KeyPair } from '../keys/key-files.js'
import { NodeError } from '../protocol/errors.js'
import { errorResponse } from '../protocol/messages.js'
import { ReplayGuard } from '../protocol/replay-guard.js'
import { nodeManagerProtocol, type NodeManagerProtocol } from '../node/protocol-service.js'
import { SILENT_LOG, type Logger } from '../log/logger.js'
import { Allocator, PoolLock } from './allocation.js'
import { DonatedNodes } from './donated-nodes.js'
import { NodeLink } from './node-link.js'
import { POOL_PROTOCOL_ID, type PoolInfo, type PoolSettings, type ValidPoolCall } from './pool-calls.js'
import {
  DEFAULT_POOL_DATA_DIR,
  DEFAULT_POOL_LISTEN,
  DEFAULT_POOL_SETTINGS,
  checkSettings,
  parseHttpAddress,
  poolKey,
  poolPaths,
} from './pool-config.js'
import { handlePoolRequest } from './pool-handler.js'
import { PoolStore } from './pool-store.js'
import { PoolWeb } from './web.js'

export interface PoolManagerOptions {
  /** default <project>/pool */
  dataDir?: string
  /** default <project>/keys */
  keysDir: string
  /** the pool's key (a name in keysDir or a path); default `pool` in keysDir, made on first use */
  key?: string
  /** default /ip4/127.0.0.1/tcp/1230 */
  listen?: string[]
  /** used on the first start only, then stored */
  settings?: Partial<PoolSettings>
  bootstrap?: string[]
  mdns?: boolean
  /** how often nodes are checked again, the DHT looked up and intents reconciled (default 30 s) */
  checkIntervalMs?: number
  log?: Logger
  onInternalError?: (err: unknown, call: string) => void
  /** most vessels the pool holds in all (default MAX_POOL_VESSELS) */
  maxVessels?: number
  /** serve the web page on this 'host:port' (port 0: any free one); default no web page */
  http?: string
}

type PoolNode = DiscoveryNode & Libp2p<{ pool: NodeManagerProtocol }>

export class PoolManager {
  private readonly timers: NodeJS.Timeout[] = []
  private ticking: Promise<void> | null = null
  private again = false
  /** how long one DHT lookup of the pool's key may take: at most the check interval, so rounds do not pile up */
  private lookupMs = 10_000
  private stopping: Promise<void> | null = null
  /** aborted by stop(): a round's DHT lookup ends at once instead of running out its lookupMs */
  private readonly halt = new AbortController()
  /** the web page's server, when `http` was given */
  private web: PoolWeb | null = null

  private constructor(
    private readonly libp2p: PoolNode,
    private readonly store: PoolStore,
    private readonly link: NodeLink,
    readonly allocator: Allocator,
    readonly nodes: DonatedNodes,
    readonly key: KeyPair,
    readonly settings: PoolSettings,
    /** true when this start stored the settings */
    readonly initialized: boolean,
    private readonly log: Logger,
    private readonly stops: Array<() => void>,
  ) {}

  static async start(options: PoolManagerOptions): Promise<PoolManager> {
    const paths = poolPaths(options.dataDir ?? DEFAULT_POOL_DATA_DIR)
    const log = options.log ?? SILENT_LOG
    const store = await PoolStore.open(paths.state)
    let libp2p: PoolNode | undefined
    let link: NodeLink | undefined
    let pool: PoolManager | undefined
    try {
      const http = options.http === undefined ? undefined : parseHttpAddress(options.http)
      const stored = await store.settings()
      const settings = stored ?? checkSettings({ ...DEFAULT_POOL_SETTINGS, ...options.settings })
      if (stored === undefined) await store.saveSettings(settings)
      const key = await poolKey(options.keysDir, options.key)
      const guard = await ReplayGuard.open(store.replay)
      // filled in once the pool is wired; requests before that are told to retry
      const wiring: { peerId: string; dispatch?: (call: ValidPoolCall, signer: string | null) => Promise<unknown> } = {
        peerId: '',
      }
      const service = nodeManagerProtocol({
        protocol: POOL_PROTOCOL_ID,
        handle: (bytes, peer) =>
          wiring.dispatch === undefined
            ? Promise.resolve(errorResponse(new NodeError('E_BUSY', 'the pool is still starting; retry in a moment')))
            : handlePoolRequest(bytes, peer, {
                peerId: wiring.peerId,
                guard,
                dispatch: wiring.dispatch,
                onInternalError: (err, call) => {
                  log.error(`internal error in ${call}: ${err instanceof Error ? err.message : String(err)}`)
                  options.onInternalError?.(err, call)
                },
              }),
      })
      libp2p = await createNodeLibp2p({
        privateKey: key.privateKey,
        listen: options.listen ?? [DEFAULT_POOL_LISTEN],
        discovery: { bootstrap: options.bootstrap ?? [], mdns: options.mdns ?? false },
        services: { pool: service },
      })
      wiring.peerId = libp2p.peerId.toString()
      const stops: Array<() => void> = []
      if ((options.bootstrap ?? []).length > 0) stops.push(keepJoined(libp2p, options.bootstrap ?? [], 2_000))
      link = await NodeLink.open(key)
      const lock = new PoolLock()
      const allocator = new Allocator({ store, settings, link, lock, log })
      const nodes = new DonatedNodes(store, link, lock, key.publicKeyText, log, Date.now, options.maxVessels)
      pool = new PoolManager(libp2p, store, link, allocator, nodes, key, settings, stored === undefined, log, stops)
      const wired = pool
      wiring.dispatch = (call, signer) => wired.dispatch(call, signer)
      if (http !== undefined) wired.web = await wired.startWeb(http, log)
      await writeFile(paths.address, pool.addresses[0] + '\n')
      pool.startTimers(options.checkIntervalMs ?? 30_000)
      log.info(`pool ${pool.peerId} started at ${pool.addresses.join(' ')}`)
      if (pool.web !== null) log.info(`web page at ${pool.web.url}`)
      return pool
    } catch (err) {
      await pool?.web?.stop().catch(() => undefined)
      await link?.close().catch(() => undefined)
      await Promise.resolve(libp2p?.stop()).catch(() => undefined)
      await store.close().catch(() => undefined)
      throw err
    }
  }

  /** The web page's URL, or null without one. */
  get httpUrl(): string | null {
    return this.web?.url ?? null
  }

  get peerId(): string {
    return this.libp2p.peerId.toString()
  }

  /** Multiaddrs with /p2p/<peerId>. */
  get addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString())
  }

  /** The pool's libp2p node (tests). */
  get node(): DiscoveryNode {
    return this.libp2p
  }

  async info(): Promise<PoolInfo> {
    const [vessels, nodes] = await Promise.all([this.store.listVessels(), this.store.listNodes()])
    const up = new Set(nodes.filter((n) => n.available).map((n) => n.peerId))
    return {
      key: this.key.publicKeyText,
      peerId: this.peerId,
      settings: this.settings,
      nodes: nodes.length,
      vessels: vessels.length,
      free: vessels.filter((v) => v.state === 'free' && up.has(v.peerId)).length,
      http: this.httpUrl,
    }
  }

  private startWeb(http: { host: string; port: number }, log: Logger): Promise<PoolWeb> {
    return PoolWeb.start({
      ...http,
      peerId: this.peerId,
      view: async () => ({
        peerId: this.peerId,
        key: this.key.publicKeyText,
        settings: this.settings,
        nodes: await this.store.listNodes(),
        vessels: await this.store.listVessels(),
      }),
      // exactly what a signed call of this key does
      dispatch: (call, signer) => this.dispatch(call, signer),
      log,
    })
  }

  /** One round of the timer's work: nodes checked again, the DHT looked up, intents reconciled, leases ended. A
   *  call while a round runs gets one more round after it, so what it sees started after the call. */
  tick(): Promise<void> {
    this.again = true
    this.ticking ??= (async () => {
      try {
        while (this.again && this.stopping === null) {
          this.again = false
          await this.round()
        }
      } finally {
        this.ticking = null
      }
    })()
    return this.ticking
  }

  private async round(): Promise<void> {
    try {
      await this.nodes.recheck()
      await this.nodes.lookUp(this.libp2p, this.lookupMs, this.halt.signal).catch((err: unknown) => {
        this.log.debug(`DHT lookup: ${err instanceof Error ? err.message : String(err)}`)
      })
      await this.allocator.reconcile()
      await this.allocator.expire()
    } catch (err) {
      if (this.stopping === null) this.log.error(`pool round: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  private startTimers(checkMs: number): void {
    this.lookupMs = Math.min(10_000, checkMs)
    // the first round at once: it reconciles what a killed pool left half-way
    void this.tick()
    // a round still running when the timer fires is enough: the timer does not queue another behind it
    this.timers.push(
      setInterval(() => {
        if (this.ticking === null) void this.tick()
      }, checkMs),
    )
    const expiryMs = Math.min(checkMs, Math.max(250, this.settings.leaseMs / 10))
    this.timers.push(
      setInterval(() => {
        void this.allocator.expire().catch((err: unknown) => {
          if (this.stopping === null)
            this.log.error(`ending leases: ${err instanceof Error ? err.message : String(err)}`)
        })
      }, expiryMs),
    )
    for (const t of this.timers) t.unref()
  }

  private async dispatch(valid: ValidPoolCall, signer: string | null): Promise<unknown> {
    const key = signer ?? ''
    switch (valid.call) {
      case 'PoolInfo':
        return this.info()
      case 'Acquire':
        return this.allocator.acquire(key, valid.args[0], valid.args[1])
      case 'List':
        return this.allocator.list(key)
      case 'Renew':
        return this.allocator.renew(key, valid.args[0])
      case 'Release':
        return this.allocator.release(key, valid.args[0])
      case 'Status':
        return this.allocator.status(key)
      case 'Announce': {
        const peers = new Set(valid.args[0].map((a) => peerIdOf(multiaddr(a))))
        if (peers.size !== 1)
          throw new NodeError('E_USAGE', 'Announce: the addresses must all end in the same /p2p/<peer id>')
        return this.nodes.check(valid.args[0], [...peers][0] ?? null, signer)
      }
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const t of this.timers) clearInterval(t)
      for (const stop of this.stops) stop()
      this.halt.abort()
      await this.web?.stop()
      await this.libp2p.services.pool.stop().catch(() => undefined)
      await this.ticking?.catch(() => undefined)
      await this.libp2p.stop()
      await this.link.close()
      await this.store.close()
      this.log.info('pool stopped')
    })()
    return this.stopping
  }
}
