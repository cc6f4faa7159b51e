// The node manager: store + sandbox host + request handlers + libp2p, wired together.
//   const nm = await NodeManager.start({ dataDir, keysDir, listen: ['/ip4/127.0.0.1/tcp/0'] })
//   ... nm.addresses ... await nm.stop()
import { chmod, mkdir } from 'node:fs/promises'
import { NodeError } from '../protocol/errors.js'
import { errorResponse } from '../protocol/messages.js'
import { ReplayGuard } from '../protocol/replay-guard.js'
import type { AdvertisedKey, NodeSummary } from '../protocol/results.js'
import { nodeSummary } from './handlers/queries.js'
import type { HandlerContext } from './handlers/index.js'
import type { Libp2p } from '@libp2p/interface'
import type { DiscoveryNode } from '../p2p/discovery-services.js'
import { withPeerId } from '../p2p/addresses.js'
import { createNodeLibp2p } from '../p2p/libp2p-node.js'
import { reachabilityText } from '../protocol/reachability-text.js'
import type { Reachability, ReachabilityService } from '../p2p/reachability.js'
import type { NatOptions } from '../p2p/nat-services.js'
import { DEFAULT_RELAY_LIMITS } from '../p2p/relay-limits.js'
import { Lifecycle } from './lifecycle.js'
import {
  discoveryConfig,
  initNode,
  MAX_LOG_BYTES,
  loadConfig,
  loadNodeKey,
  type DiscoveryConfig,
  type InitOptions,
  type NodeConfig,
} from './node-config.js'
import { discoveryOptions, NodeDiscovery } from './node-discovery.js'
import type { LogLevel, Logger } from '../log/logger.js'
import { errorChain, NodeLog, type LogEntry } from './node-log.js'
import { DEFAULT_DATA_DIR, DEFAULT_KEYS_DIR, nodeLogPrefix, nodePaths, type NodePaths } from './node-paths.js'
import { nodeLimits, type NodeLimitsOptions } from './node-limits.js'
import { NodeState } from './node-state.js'
import { chooseSandboxUser, DEFAULT_SANDBOX_USER, type SandboxUser, type SandboxUserSetting } from './sandbox-user.js'
import { nodeManagerProtocol, type NodeManagerProtocol, type ProtocolStats } from './protocol-service.js'
import { handleRequest } from './request-handler.js'
import { RequestLog } from './request-log.js'
import { DEFAULT_FLOOD_LIMITS, type FloodLimits } from './flood-limiter.js'
import { VesselFiles } from './vessel-files.js'
import { VesselStore } from './vessel-store.js'

export interface NodeManagerOptions {
  /** default <project>/vessels */
  dataDir?: string
  /** default <project>/keys */
  keysDir?: string
  /** listen multiaddrs; default what init recorded */
  listen?: string[]
  /** set the node up with these options if the data folder is empty; otherwise start refuses an empty folder */
  init?: InitOptions | false
  /** discovery settings for this run, over the stored ones (bootstrap, mdns, ttlS, refreshS) */
  discovery?: Partial<DiscoveryConfig>
  /** the node's log (<data>/logs/node.log.old|.new): requests, vessel starts and ends, discovery, troubles */
  log?: NodeLogSettings
  /** also called with each internal error while handling a request (the log has them in any case) */
  onInternalError?: (err: unknown, call: string) => void
  /** who the sandbox host runs as when this process is root, over the stored setting (default nobody:nogroup) */
  sandboxUser?: SandboxUserSetting
  /** what peers can make the node hold (replay guard, streams, frames); defaults otherwise */
  limits?: NodeLimitsOptions
  /** relay server, relay reservations and UPnP for this run; defaults otherwise (DEFAULT_NAT_SETTINGS) */
  nat?: Partial<NatSettings>
  /** false: the sandbox host does not warm the engine up when it starts (default true). For nodes that run few
   *  programs, as in tests: the warm-up costs about a second of a core per host start. */
  engineWarmUp?: boolean
  /** how long the sandbox host stays up with no program running (default 60 s; the first start after starts it again) */
  hostIdleMs?: number
}

export type NatSettings = Omit<NatOptions, 'onReachability'>

export const DEFAULT_NAT_SETTINGS: NatSettings = { relayServer: DEFAULT_RELAY_LIMITS, reserve: 'auto', upnp: false }

export interface NodeLogSettings {
  /** what the log keeps (default info) */
  level?: LogLevel
  /** what also goes to stderr (default 'off') */
  stderr?: LogLevel | 'off'
  /** the ring's size in bytes (default the vessel logs' size, --log-size of init) */
  bytes?: number
  /** receives every entry kept (tests) */
  sink?(entry: LogEntry): void
  /** how much the requests of strangers may log (default DEFAULT_FLOOD_LIMITS) */
  flood?: Partial<FloodLimits>
}

/** A node manager's libp2p node: discovery, the node-manager protocol and the NAT services. */
type ManagerNode = DiscoveryNode & Libp2p<{ nodeManager: NodeManagerProtocol; reachability?: ReachabilityService }>

export class NodeManager {
  private stopping: Promise<void> | null = null

  private constructor(
    private readonly libp2p: ManagerNode,
    private readonly state: NodeState,
    private readonly lifecycle: Lifecycle,
    private readonly ctx: HandlerContext,
    private readonly discovery: NodeDiscovery,
    private readonly requests: RequestLog,
    /** the node's log; the CLI writes its own lines (stopping) there too */
    readonly log: NodeLog,
    /** the discovery settings in effect */
    readonly discoverySettings: DiscoveryConfig,
    /** true when this start set the node up */
    readonly initialized: boolean,
  ) {}

  static async start(options: NodeManagerOptions = {}): Promise<NodeManager> {
    const paths = nodePaths(options.dataDir ?? DEFAULT_DATA_DIR)
    const keysDir = options.keysDir ?? DEFAULT_KEYS_DIR
    await mkdir(paths.data, { recursive: true })
    const store = await VesselStore.open(paths.state)
    let libp2p: ManagerNode | undefined
    let discovery: NodeDiscovery | undefined
    let lifecycle: Lifecycle | undefined
    let log: NodeLog | undefined
    let requests: RequestLog | undefined
    const { flood, ...logOptions } = options.log ?? {}
    try {
      let config: NodeConfig | undefined = await loadConfig(store)
      const initialized = config === undefined
      if (config === undefined) {
        if (options.init === false)
          throw new NodeError('E_STATE', `${paths.data} holds no node; run flotilla node init first`)
        // A first start sets the node up with the defaults, listening where it was asked to (its vessels' IP follows).
        config = await initNode(store, paths, keysDir, {
          ...(options.listen ? { listen: options.listen } : {}),
          ...options.init,
        })
      }
      const logBytes = Math.min(config.logBytes, MAX_LOG_BYTES)
      log = NodeLog.open(nodeLogPrefix(paths), { ...logOptions, bytes: logOptions.bytes ?? logBytes })
      // (the CLI says so on stdout; a start that fails later must still be one line there)
      if (initialized)
        log.fileOnly('info', `set up a new node ${config.peerId} in ${paths.data}`, {
          event: 'set up',
          peerId: config.peerId,
        })
      // the check runs a process as the sandbox user: let it overlap with the rest of the start
      const choosing = chooseSandboxUser(options.sandboxUser ?? config.sandboxUser ?? DEFAULT_SANDBOX_USER, paths.files)
      for (const name of await store.boundStored())
        log.warn(`${name}: cut an over-long stored field (exit reason or owner information)`, { vessel: name })
      const privateKey = await loadNodeKey(keysDir, config)
      const state = new NodeState(store, paths, config)
      const limits = nodeLimits(options.limits)
      const guard = await ReplayGuard.open(store.replay, limits.replay)
      const settings = discoveryConfig(config.discovery, options.discovery)
      const requestLog = (requests = new RequestLog(log, { ...DEFAULT_FLOOD_LIMITS, ...flood }))
      // The protocol is served from libp2p's start; requests that come before the vessels are ready are told so.
      let ready: HandlerContext | undefined = undefined
      const nodeManager = nodeManagerProtocol({
        handle: (bytes, peer) =>
          ready === undefined
            ? Promise.resolve(errorResponse(new NodeError('E_BUSY', 'the node is still starting; retry in a moment')))
            : handleRequest(bytes, ready, {
                guard,
                onInternalError: options.onInternalError,
                onOutcome: (outcome) => requestLog.record(peer, outcome),
              }),
        limits,
        refused: (peer, error) =>
          requestLog.record(peer, { call: null, vessels: [], key: null, handled: false, error }),
      })
      // a relay slot reserved changes the addresses the node announces: announce its keys again with them
      let onReachable: (how: Reachability) => void = () => {}
      libp2p = await createNodeLibp2p({
        privateKey,
        listen: options.listen ?? config.listen,
        discovery: discoveryOptions(settings),
        services: { nodeManager },
        nat: { ...DEFAULT_NAT_SETTINGS, ...options.nat, onReachability: (r) => onReachable(r) },
      })
      const sandboxUser = await choosing
      if (sandboxUser.warning !== null) log.warn(sandboxUser.warning, { event: 'sandbox user' })
      const identity =
        sandboxUser.uid === undefined || sandboxUser.gid === undefined
          ? undefined
          : { uid: sandboxUser.uid, gid: sandboxUser.gid }
      if (identity) await keepFromSandboxUser(paths)
      const files = new VesselFiles(paths, identity)
      await files.reconcile((await store.list()).map((v) => v.name))
      lifecycle = await Lifecycle.open(state, files, {
        ip: config.ip,
        logBytes,
        log,
        identity,
        engineWarmUp: options.engineWarmUp,
        hostIdleMs: options.hostIdleMs,
      })
      const node = libp2p
      const found = NodeDiscovery.start(node, store, settings, log)
      discovery = found
      await found.keysServed()
      onReachable = reachabilityLogger(log, () => found.reannounce())
      const reachability = node.services.reachability
      const ctx: HandlerContext = {
        state,
        files,
        lifecycle,
        peerId: node.peerId.toString(),
        addresses: () => node.getMultiaddrs().map((a) => withPeerId(a, node.peerId.toString()).toString()),
        advertising: () => found.status(),
        sandboxUser: { runsAs: sandboxUser.runsAs, warning: sandboxUser.warning },
        ...(reachability ? { reachability: () => reachability.status() } : {}),
      }
      ready = ctx
      log.info(
        `node ${node.peerId.toString()} started (sandbox host runs as ${sandboxUser.runsAs}) at ${ctx.addresses().join(' ')}`,
        {
          event: 'started',
          peerId: node.peerId.toString(),
          addresses: ctx.addresses(),
        },
      )
      return new NodeManager(node, state, lifecycle, ctx, found, requestLog, log, settings, initialized)
    } catch (err) {
      // the caller reports the failure to the user: the file keeps it for the operator
      log?.fileOnly('error', `could not start: ${err instanceof Error ? err.message : String(err)}`, {
        detail: errorChain(err),
      })
      requests?.close()
      log?.close()
      await discovery?.stop().catch(() => undefined)
      await lifecycle?.close().catch(() => undefined)
      await Promise.resolve(libp2p?.stop()).catch(() => undefined)
      await store.close().catch(() => undefined)
      throw err
    }
  }

  get peerId(): string {
    return this.ctx.peerId
  }

  /** Multiaddrs with /p2p/<peerId>. */
  get addresses(): string[] {
    return this.ctx.addresses()
  }

  /** Who the sandbox host runs as, and why not the unprivileged user if it should but does not. */
  get sandboxUser(): Pick<SandboxUser, 'runsAs' | 'warning'> {
    return this.ctx.sandboxUser ?? { runsAs: '?', warning: null }
  }

  /** The vessel locks (tests, benchmarks). */
  get locks(): NodeState['locks'] {
    return this.state.locks
  }

  get config(): NodeConfig {
    return this.state.config
  }

  get dataDir(): string {
    return this.state.paths.data
  }

  /** The keys announced in the DHT and their last announce results. */
  advertising(): AdvertisedKey[] {
    return this.discovery.status()
  }

  /** Recomputes the announced keys from the vessel table now (it also happens after every change). */
  readvertise(): Promise<void> {
    return this.discovery.sync()
  }

  /** The libp2p node (tests, benchmarks). */
  get node(): DiscoveryNode {
    return this.libp2p
  }

  /** Streams being read, requests being handled and bytes reserved for them, now. */
  protocolStats(): ProtocolStats {
    return this.libp2p.services.nodeManager.stats()
  }

  /** Calls `listener` with the node's addresses each time the set it announces changes (a relay slot reserved or
   *  lost); answers the function that stops it. */
  onAddressesChange(listener: (addresses: string[]) => void): () => void {
    const key = (addresses: readonly string[]): string => [...addresses].sort().join(' ')
    let last = key(this.addresses)
    const onUpdate = (): void => {
      const now = this.addresses
      if (key(now) === last) return
      last = key(now)
      listener(now)
    }
    this.libp2p.addEventListener('self:peer:update', onUpdate)
    return () => this.libp2p.removeEventListener('self:peer:update', onUpdate)
  }

  summary(): Promise<NodeSummary> {
    return nodeSummary(this.ctx)
  }

  /** Stops serving, stops the programs (their vessels stay Started, to be restarted next time) and closes the store. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // no new requests while the rest stops (libp2p's stop stops the service again, which does nothing more)
      await this.libp2p.services.nodeManager.stop().catch(() => undefined)
      await this.discovery.stop()
      await this.libp2p.stop()
      await this.lifecycle.close()
      // let exclusive sections that are under way finish before the store closes
      await this.state.exclusive(async () => undefined)
      await this.state.store.close()
      this.requests.close()
      this.log.info('node stopped', { event: 'stopped' })
      this.log.close()
    })()
    return this.stopping
  }
}

/** Logs each change of how the node is reached; `relayed` runs when it becomes reachable through another relay.
 *  A node starts reached directly, which is not a change (nor a line that may come at any time after start). */
function reachabilityLogger(log: Logger, relayed: () => void): (status: Reachability) => void {
  let last = reachabilityText({ how: 'direct', relays: [], natAddresses: [] })
  return (status) => {
    const text = reachabilityText(status)
    if (text === last) return
    last = text
    log.info(`reachability: ${text}`, { event: 'reachability', how: status.how, relays: status.relays })
    if (status.how === 'relay') relayed()
  }
}

/** The sandbox user may pass through the data folder and files/ (its working directory) to the vessel directories,
 *  but not into the store, logs or uploads. */
async function keepFromSandboxUser(paths: NodePaths): Promise<void> {
  for (const dir of [paths.state, paths.logs, paths.tmp]) {
    await mkdir(dir, { recursive: true })
    await chmod(dir, 0o700)
  }
  await mkdir(paths.files, { recursive: true })
  await chmod(paths.files, 0o711)
}
