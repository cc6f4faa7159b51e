// What a node (or a browsing client) adds to its createLibp2p options to take part in discovery: a private
// Kademlia DHT in LAN mode (server mode and private addresses kept; see dht below), bootstrap addresses and mDNS.
//   const d = await discoveryServices({ bootstrap: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3...'], mdns: true })
//   const node = await createLibp2p({ ..., services: { ...d.services }, peerDiscovery: d.peerDiscovery })
//   const stopDialing = dialDiscoveredPeers(node)      // mDNS finds peers but libp2p does not dial them
// Provider records: a node keeps a record it received for `providerTtlMs`; every node sweeps out expired ones
// every `cleanupMs`. kad-dht 16 reads these from `reprovide.{validity,interval}` — `providers.provideValidity`
// and `providers.cleanupInterval` are declared in its typings but not read by anything.
import './promise-shim.js'
import { bootstrap } from '@libp2p/bootstrap'
import { identify, type Identify } from '@libp2p/identify'
import type { Libp2p, PeerId } from '@libp2p/interface'
import {
  kadDHT,
  passthroughMapper,
  removePublicAddressesMapper,
  type KadDHTComponents,
  type SingleKadDHT,
} from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2pOptions } from 'libp2p'
import { peerIdOf } from './addresses.js'

export const DHT_PROTOCOL = '/flotilla/kad/1.0.0'
export const MDNS_SERVICE_TAG = '_flotilla._udp.local'
/** As Seattle's node manager advertises: records live 750 s and are re-announced every 300 s. */
export const DEFAULT_PROVIDER_TTL_MS = 750_000
export const DEFAULT_REFRESH_MS = 300_000

export interface DiscoveryOptions {
  /** multiaddrs (with /p2p/<peerId>) dialed at start */
  bootstrap?: string[]
  /** multicast discovery on the LAN; `true` uses the Flotilla service tag and a 10 s interval */
  mdns?: boolean | { serviceTag?: string; interval?: number }
  /** default /flotilla/kad/1.0.0: a private DHT, not the public IPFS one */
  dhtProtocol?: string
  /** how long a node keeps a provider record it received (default 750 s) */
  providerTtlMs?: number
  /** how often every node sweeps out expired records (default min(60 s, TTL/3)) */
  cleanupMs?: number
  /** only query the DHT, never answer (a browsing client) */
  clientMode?: boolean
  /** how often the DHT looks up its own id to find its neighbours (kad-dht default 5 min) */
  selfQueryMs?: number
  /** when the first of those lookups runs after the start (kad-dht default 1 s); every other lookup waits for it */
  firstSelfQueryMs?: number
  /** 'all' (default) keeps every address in DHT answers; 'lan' keeps only private/loopback ones. Flotilla's DHT is
   *  one network of LAN and internet nodes alike: without the public addresses, a public node and every node
   *  reached through a public relay could not be found. */
  addressScope?: 'lan' | 'all'
  /** kad-dht's K (default 20): peers per routing-table bucket, and how many providers a lookup collects before it
   *  stops; a browsing client sets it far higher so that a key served by hundreds of nodes is found on all */
  kBucketSize?: number
}

export interface DiscoveryServiceMap extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  dht: SingleKadDHT
}

export type DiscoveryNode = Libp2p<DiscoveryServiceMap>

export interface DiscoveryPieces {
  services: NonNullable<Libp2pOptions<DiscoveryServiceMap>['services']>
  peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']>
}

/** Services (identify, ping, dht — kad-dht needs the first two) and peer discovery modules for createLibp2p. mDNS
 *  (and its DNS packet modules) is imported only by a node that uses it: the others kept its code in their heap. */
export async function discoveryServices(options: DiscoveryOptions = {}): Promise<DiscoveryPieces> {
  const ttl = options.providerTtlMs ?? DEFAULT_PROVIDER_TTL_MS
  const cleanup = options.cleanupMs ?? Math.max(100, Math.min(60_000, Math.floor(ttl / 3)))
  // kadDHT() is typed as answering the KadDHT interface; the instance it makes for one protocol is what kad-dht's
  // own SingleKadDHT type describes, which adds the routing table (whose size tells whether a node has joined).
  const dht = kadDHT({
    protocol: options.dhtProtocol ?? DHT_PROTOCOL,
    // The default (client until a public address is confirmed) never becomes a server on a LAN.
    clientMode: options.clientMode ?? false,
    // The default mapper drops private addresses, loopback included: nothing would be left on a LAN.
    peerInfoMapper: options.addressScope === 'lan' ? removePublicAddressesMapper : passthroughMapper,
    // threshold 0: kad-dht re-provides our own records only once expired; the Advertiser refreshes them before.
    reprovide: { validity: ttl, interval: cleanup, threshold: 0 },
    ...(options.selfQueryMs !== undefined ? { querySelfInterval: options.selfQueryMs } : {}),
    ...(options.firstSelfQueryMs !== undefined ? { initialQuerySelfInterval: options.firstSelfQueryMs } : {}),
    ...(options.kBucketSize !== undefined ? { kBucketSize: options.kBucketSize } : {}),
  }) as (components: KadDHTComponents) => SingleKadDHT
  const peerDiscovery: DiscoveryPieces['peerDiscovery'] = []
  if (options.bootstrap !== undefined && options.bootstrap.length > 0) {
    peerDiscovery.push(bootstrap({ list: options.bootstrap, timeout: 10 }))
  }
  if (options.mdns !== undefined && options.mdns !== false) {
    const m = options.mdns === true ? {} : options.mdns
    const { mdns } = await import('@libp2p/mdns')
    peerDiscovery.push(mdns({ serviceTag: m.serviceTag ?? MDNS_SERVICE_TAG, interval: m.interval ?? 10_000 }))
  }
  // ping's default is 1 outbound stream per connection: kad-dht pinging a contact then makes libp2p's connection
  // monitor fail its heartbeat (TooManyOutboundProtocolStreamsError) and abort the connection.
  const pinger = ping({ maxInboundStreams: 32, maxOutboundStreams: 32 })
  // identify's 5 s default runs out on a loaded machine, and a peer not identified never joins the routing table
  return { services: { identify: identify({ timeout: 15_000 }), ping: pinger, dht }, peerDiscovery }
}

/**
 * Dials every peer that discovery reports and that is not connected yet (libp2p does not auto-dial them).
 * Answers a function that stops listening.
 */
export function dialDiscoveredPeers(node: Libp2p, onError?: (peer: PeerId, err: unknown) => void): () => void {
  const dialing = new Set<string>()
  const listener = (event: CustomEvent<{ id: PeerId }>): void => {
    const peer = event.detail.id
    const key = peer.toString()
    if (peer.equals(node.peerId) || dialing.has(key) || node.getConnections(peer).length > 0) return
    dialing.add(key)
    node
      .dial(peer, { signal: AbortSignal.timeout(10_000) })
      .catch((err: unknown) => onError?.(peer, err))
      .finally(() => dialing.delete(key))
  }
  node.addEventListener('peer:discovery', listener)
  return () => node.removeEventListener('peer:discovery', listener)
}

/**
 * The bootstrap module dials its list once, at start: a node started before its bootstrap peers, or whose dial
 * was refused (a busy peer refuses inbound connections beyond 10 pending), would stay alone. And a connection
 * whose identify timed out (a loaded machine) stays open without ever telling the DHT that the peer speaks its
 * protocol, so dialing again would only return that connection. While the routing table is empty, this dials the
 * list again every `intervalMs` and runs identify again on bootstrap connections already open. Answers a function
 * that stops it.
 */
export function keepJoined(node: DiscoveryNode, bootstrapList: string[], intervalMs = 5_000): () => void {
  const addresses = bootstrapList.map((a) => multiaddr(a))
  let joining = false
  const join = async (address: Multiaddr, signal: AbortSignal): Promise<void> => {
    const peer = peerIdOf(address)
    const open =
      peer === undefined ? undefined : node.getConnections(peerIdFromString(peer)).find((c) => c.status === 'open')
    if (open === undefined) await node.dial(address, { signal })
    else await node.services.identify.identify(open, { signal })
  }
  const timer = setInterval(() => {
    if (joining || node.status !== 'started' || routingTableSize(node) > 0) return
    // one round at a time, each allowed 10 s: short timeouts on a busy peer abort every handshake half-way
    joining = true
    const signal = AbortSignal.timeout(Math.max(10_000, intervalMs))
    void Promise.allSettled(addresses.map((address) => join(address, signal))).finally(() => {
      joining = false
    })
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

/** How many DHT peers the node knows: 0 until it has joined. */
export function routingTableSize(node: DiscoveryNode): number {
  return node.services.dht.routingTable.size
}

/** The DHT key of a public key's text (its canonical `ed25519-pub <base64>` form). */
export async function keyCid(keyText: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(keyText)))
}
