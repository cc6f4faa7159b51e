// Finds the nodes that serve a public key: a provider lookup in the DHT for CID(raw, sha256(key text)).
//   const node = await createBrowseNode({ bootstrap: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3...'] })
//   const found = await browseKey(node, identity.publicKeyText, { timeoutMs: 5000 })   // [{ peerId, addresses }]
//   await stopWithin(node)
// or in one call: const { found, stop } = await lookUp(keyText, { bootstrap }); print found; await stop()
import type { KadDHT } from '@libp2p/kad-dht'
import type { PeerId } from '@libp2p/interface'
import { ClientTransport, NodeClient } from './node-client.js'
import {
  dialDiscoveredPeers,
  keepJoined,
  keyCid,
  routingTableSize,
  type DiscoveryNode,
  type DiscoveryOptions,
} from '../p2p/discovery-services.js'
import { createDiscoveryNode } from '../p2p/libp2p-node.js'
import { stopWithin } from '../p2p/stop-within.js'

export interface FoundNode {
  peerId: string
  /** the node's multiaddrs as the DHT reported them (without /p2p/), deduplicated */
  addresses: string[]
}

export interface BrowseOptions {
  /** overall time limit; the nodes found so far are answered when it runs out (default 10 s) */
  timeoutMs?: number
  /** stop as soon as this many nodes were found */
  limit?: number
  signal?: AbortSignal
  /**
   * lookups, one after the other within timeoutMs (default 1). A browse node that had just joined knew only its
   * bootstrap nodes when the first started; kad-dht adds the nodes that answered it to the routing table, so the
   * second starts from many more, and reaches records of the key that the announcers stored elsewhere (each stores
   * them on the nodes closest to the key as it saw them).
   */
  passes?: number
}

/** The browse node's K: a lookup stops collecting providers at K (kad-dht's default 20), and a pool's or a class's
 *  key is served by hundreds of nodes. */
export const BROWSE_K_BUCKET = 4096

/** Looks up the nodes that announce `keyText`. Never throws for a timeout: it answers what it found in time. */
export async function browseKey(
  node: { peerId: PeerId; services: { dht: KadDHT } },
  keyText: string,
  options: BrowseOptions = {},
): Promise<FoundNode[]> {
  const cid = await keyCid(keyText)
  const stop = new AbortController()
  const signals = [stop.signal, AbortSignal.timeout(options.timeoutMs ?? 10_000)]
  if (options.signal !== undefined) signals.push(options.signal)
  const signal = AbortSignal.any(signals)
  const found = new Map<string, Set<string>>()
  const limit = options.limit ?? Infinity
  const passes = options.passes ?? 1
  const dht = node.services.dht
  for (let pass = 1; pass <= passes && !signal.aborted && found.size < limit; pass++) {
    try {
      for await (const event of dht.findProviders(cid, { signal })) {
        if (event.name !== 'PROVIDER') continue
        for (const provider of event.providers) {
          if (provider.id.equals(node.peerId)) continue
          const id = provider.id.toString()
          const addresses = found.get(id) ?? new Set<string>()
          for (const address of provider.multiaddrs) addresses.add(address.toString())
          found.set(id, addresses)
        }
        if (found.size >= limit) {
          stop.abort()
          break
        }
      }
    } catch (err) {
      if (!signals.some((s) => s.aborted)) throw err
    }
  }
  return [...found].slice(0, limit).map(([peerId, addresses]) => ({ peerId, addresses: [...addresses].sort() }))
}

/** One dialable multiaddr (…/p2p/<peerId>) per node found, for `contact`: its first address (they are sorted). */
export function contactAddresses(found: FoundNode[]): string[] {
  return found.filter((n) => n.addresses.length > 0).map((n) => `${n.addresses[0]}/p2p/${n.peerId}`)
}

/** kBucketSize: default BROWSE_K_BUCKET (the benchmark sets kad-dht's 20 for its baseline) */
export type BrowseNodeOptions = Pick<
  DiscoveryOptions,
  'bootstrap' | 'mdns' | 'dhtProtocol' | 'addressScope' | 'kBucketSize'
>

/**
 * A client-side libp2p node that can query the DHT (client mode: it answers no DHT queries and is not added
 * to other nodes' routing tables), with K = BROWSE_K_BUCKET. Peers found by mDNS are dialed. Stop it with
 * `node.stop()` (or stopWithin).
 */
export async function createBrowseNode(options: BrowseNodeOptions = {}): Promise<DiscoveryNode> {
  const kBucketSize = options.kBucketSize ?? BROWSE_K_BUCKET
  // The DHT's first lookup of its own id runs once it knows a peer, not a second after the start: every lookup waits
  // for that one, so the browse's first waited out the second (a browse of 2 nodes took 1.0 s, then 0.05 s).
  const node = await createDiscoveryNode({ ...options, kBucketSize, clientMode: true, firstSelfQueryMs: 0 })
  const stops: Array<() => void> = []
  if (options.mdns !== undefined && options.mdns !== false) stops.push(dialDiscoveredPeers(node))
  // a refused or slow first dial would leave the client alone for good: retry while no DHT peer is known
  if (options.bootstrap !== undefined && options.bootstrap.length > 0)
    stops.push(keepJoined(node, options.bootstrap, 1_000))
  node.addEventListener(
    'stop',
    () => {
      for (const stop of stops) stop()
    },
    { once: true },
  )
  return node
}

export interface Lookup {
  found: FoundNode[]
  /** stops the browse node, waiting at most 3 s (a connection that never closes must not keep the caller) */
  stop(): Promise<void>
}

/**
 * One whole lookup: starts a browse node, waits (up to a third of the time) until it knows a DHT peer, and looks the
 * key up twice (BrowseOptions.passes) with the rest of the time. The node keeps running until `stop()`: a command
 * prints what it found first.
 */
export async function lookUp(
  keyText: string,
  options: BrowseNodeOptions & { timeoutMs?: number; passes?: number } = {},
): Promise<Lookup> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const started = Date.now()
  const node = await createBrowseNode(options)
  const stop = async (): Promise<void> => {
    await stopWithin(node)
  }
  try {
    const joinBy = started + timeoutMs / 3
    while (routingTableSize(node) === 0 && Date.now() < joinBy) await new Promise((r) => setTimeout(r, 50))
    const rest = Math.max(1_000, timeoutMs - (Date.now() - started))
    return { found: await browseKey(node, keyText, { timeoutMs: rest, passes: options.passes ?? 2 }), stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** lookUp, then stop: what the shell's browse does. */
export async function findNodes(
  keyText: string,
  options: BrowseNodeOptions & { timeoutMs?: number } = {},
): Promise<FoundNode[]> {
  const lookup = await lookUp(keyText, options)
  await lookup.stop()
  return lookup.found
}

export interface NodeVessels extends FoundNode {
  /** the address that answered, with /p2p/<peerId> */
  address: string | null
  /** vessels where the key is the owner or a user */
  vessels: Array<{ name: string; owner: boolean; user: boolean; status: string }>
  /** why the node could not be asked (E_CODE: message), null if it answered */
  error: string | null
}

/**
 * Contacts each node found (GetVessels, in parallel; each address in turn until one answers) and keeps the
 * vessels where `keyText` is owner or user — what seash's browse lists.
 */
export async function vesselsForKey(
  found: FoundNode[],
  keyText: string,
  options: { timeoutMs?: number; transport?: ClientTransport } = {},
): Promise<NodeVessels[]> {
  const transport = options.transport ?? (await ClientTransport.create())
  try {
    return await Promise.all(
      found.map(async (node): Promise<NodeVessels> => {
        let error = 'no address'
        for (const address of node.addresses) {
          const full = `${address}/p2p/${node.peerId}`
          try {
            const client = await NodeClient.connect(full, { transport, timeoutMs: options.timeoutMs })
            const summary = await client.getVessels()
            const vessels = summary.vessels
              .map((v) => ({
                name: v.name,
                owner: v.ownerKey === keyText,
                user: v.userKeys.includes(keyText),
                status: v.status,
              }))
              .filter((v) => v.owner || v.user)
            return { ...node, address: full, vessels, error: null }
          } catch (err) {
            error =
              err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err)
          }
        }
        return { ...node, address: null, vessels: [], error }
      }),
    )
  } finally {
    if (options.transport === undefined) await stopWithin({ stop: () => transport.close() })
  }
}
