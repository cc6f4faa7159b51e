// A node manager's part in discovery: it joins the DHT (bootstrap list, re-dialed while alone; mDNS peers dialed)
// and announces the owner and user keys of its advertised vessels. The announced set follows the vessel table:
// every stored batch that touches a vessel (ChangeUsers, ChangeOwner, ChangeAdvertise, ResetVessel, Split, Join…)
// recomputes it, so no handler has to remember to.
//   const d = NodeDiscovery.start(libp2p, store, config)   // announces the current set at once
//   d.status()                                              // per key: last announce result
//   await d.stop()                                          // before libp2p stops
import type { AdvertisedKey } from '../protocol/results.js'
import { Advertiser } from '../p2p/advertiser.js'
import {
  dialDiscoveredPeers,
  keepJoined,
  type DiscoveryNode,
  type DiscoveryOptions,
} from '../p2p/discovery-services.js'
import type { DiscoveryConfig } from './node-config.js'
import { SILENT_LOG, type Logger } from '../log/logger.js'
import { errorChain } from './node-log.js'
import type { StoreChange, VesselStore } from './vessel-store.js'

/** What createNodeLibp2p needs for a node manager with these settings. */
export function discoveryOptions(config: DiscoveryConfig): DiscoveryOptions {
  // kad-dht's first self-query, which the first announce waits for, stays 1 s after the start (the browse node runs
  // its own at once): by then a node behind NAT has seen its outside address and announces only its relayed one.
  // Announcing at once (30-50 ms after the start instead of 1 s) put its own address into the DHT beside it.
  return { bootstrap: config.bootstrap, mdns: config.mdns, providerTtlMs: config.ttlS * 1000 }
}

/** The keys a node serves: owner and user keys of every vessel whose advertise flag is on, without duplicates. */
export function advertisedKeys(
  vessels: Iterable<{ ownerKey: string; userKeys: readonly string[]; advertise: boolean }>,
): string[] {
  const keys = new Set<string>()
  for (const v of vessels) {
    if (!v.advertise) continue
    keys.add(v.ownerKey)
    for (const k of v.userKeys) keys.add(k)
  }
  return [...keys]
}

const touchesVessels = (changes: readonly StoreChange[]): boolean =>
  changes.some((c) => c.type === 'putVessel' || c.type === 'delVessel')

export class NodeDiscovery {
  private readonly stops: Array<() => void> = []
  private syncing = false
  private dirty = false
  private stopped = false
  private synced: Promise<void> = Promise.resolve()

  private constructor(
    private readonly store: VesselStore,
    private readonly advertiser: Advertiser,
    private readonly log: Logger,
  ) {}

  /** `log` gets the announces and withdrawals and what goes wrong. */
  static start(
    node: DiscoveryNode,
    store: VesselStore,
    config: DiscoveryConfig,
    log: Logger = SILENT_LOG,
  ): NodeDiscovery {
    const advertiser = new Advertiser(node, { refreshMs: config.refreshS * 1000, log })
    const d = new NodeDiscovery(store, advertiser, log)
    if (config.bootstrap.length > 0)
      d.stops.push(keepJoined(node, config.bootstrap, Math.min(5_000, config.refreshS * 1000)))
    if (config.mdns) d.stops.push(dialDiscoveredPeers(node))
    // sync never rejects (it reports its failures through notice), and nothing here waits for it
    d.stops.push(
      store.watch((changes) => {
        if (touchesVessels(changes)) void d.sync()
      }),
    )
    void d.sync()
    return d
  }

  /**
   * Recomputes the announced keys from the vessel table. Calls while one runs are folded into one more round,
   * so the last round always reads the newest table.
   */
  sync(): Promise<void> {
    this.dirty = true
    if (this.syncing || this.stopped) return this.synced
    this.syncing = true
    this.synced = (async () => {
      try {
        while (this.dirty && !this.stopped) {
          this.dirty = false
          const keys = advertisedKeys(await this.store.list())
          // setKeys applies its diffs in call order; its announces go on in the background
          void this.advertiser.setKeys(keys)
        }
      } catch (err) {
        if (!this.stopped)
          this.log.error(`could not update the advertised keys: ${err instanceof Error ? err.message : String(err)}`, {
            detail: errorChain(err),
          })
      } finally {
        this.syncing = false
      }
    })()
    return this.synced
  }

  /** Settles once the keys of the vessel table as it was read last are the ones served (announces may still run):
   *  a node's start waits for it, so that its first summary lists them. */
  async keysServed(): Promise<void> {
    await this.synced
    await this.advertiser.keysApplied()
  }

  /** Announces every key again now: the node's addresses changed (it is reachable through a relay now). */
  reannounce(): void {
    if (!this.stopped) this.advertiser.reannounce()
  }

  /** The keys announced now and how their last announce went. */
  status(): AdvertisedKey[] {
    return this.advertiser
      .status()
      .map(({ key, lastAttempt, lastSuccess, peers, error }) => ({ key, lastAttempt, lastSuccess, peers, error }))
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const stop of this.stops.splice(0)) stop()
    await this.synced.catch(() => undefined)
    await this.advertiser.stop()
  }
}
