// The libp2p node of a node manager or a client: TCP and circuit relay (a client reaches a node behind NAT through
// its relay), Noise, yamux, identify. The shim comes first. A node manager adds discovery (kad-dht server, ping,
// bootstrap, mDNS: discovery-services.ts) and the NAT services (relay server, AutoNAT, DCUtR, UPnP: nat-services.ts).
import './promise-shim.js'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import type { Ed25519PrivateKey, Libp2p, ServiceMap } from '@libp2p/interface'
import { createLibp2p, type ServiceFactoryMap } from 'libp2p'
import { NodeError } from '../protocol/errors.js'
import type { DiscoveryNode, DiscoveryOptions } from './discovery-services.js'
import type { NatOptions } from './nat-services.js'
import { namedAddressesService } from './named-addresses.js'

/** Streams of one protocol on one connection; the shell fans out 100s of requests over one connection. */
export const MAX_PROTOCOL_STREAMS = 1024
/**
 * Inbound streams of any protocol on one connection, refused by the muxer before any protocol is negotiated: the
 * node-manager protocol's own per-connection limit (protocol-service.ts) plus room for identify, ping and the DHT.
 */
export const MAX_INBOUND_STREAMS = 128 + 64

/** How often each end of a connection pings it (see connectionMonitor below). */
const PING_INTERVAL_MS = 240_000
/** A connection with no traffic this long is closed: more than a ping interval, with room for a late ping. */
const IDLE_SOCKET_MS = 2.5 * PING_INTERVAL_MS

/** A client's dial of one address is bounded by its caller's timeout, and by this. */
const MAX_CLIENT_DIAL_MS = 10 * 60_000

export interface Libp2pOptions {
  /** The node's identity; a client without one gets a fresh key. */
  privateKey?: Ed25519PrivateKey
  /** Multiaddrs to listen on; none for a client. */
  listen?: string[]
}

/**
 * Creates and starts a libp2p node (with `discovery`: a DHT node, and with `services` its own protocols besides, such
 * as the node manager's). A listen address in use gives E_USAGE with a hint.
 */
export async function createNodeLibp2p<S extends ServiceMap = ServiceMap>(
  options: Libp2pOptions & { discovery: DiscoveryOptions; services?: ServiceFactoryMap<S>; nat?: NatOptions },
): Promise<DiscoveryNode & Libp2p<S>>
export async function createNodeLibp2p(options?: Libp2pOptions): Promise<Libp2p>
export async function createNodeLibp2p(
  options: Libp2pOptions & { discovery?: DiscoveryOptions; services?: ServiceFactoryMap; nat?: NatOptions } = {},
): Promise<Libp2p> {
  const listen = options.listen ?? []
  // Loaded here: a client (every `flotilla node call`) never needs the NAT services.
  const nat = options.nat === undefined ? undefined : await (await import('./nat-services.js')).natServices(options.nat)
  const named = namedAddressesService(listen)
  const base = {
    ...(options.privateKey ? { privateKey: options.privateKey } : {}),
    addresses: { listen, ...(nat ? { announceFilter: nat.announceFilter } : {}) },
    // A TCP connection silent for 2 min (libp2p's default) is closed, and a DHT peer's is dialed again at once (a Noise
    // handshake and identify at both ends): the longest silence an idle connection has is the ping interval below.
    transports: [
      tcp({ inboundSocketInactivityTimeout: IDLE_SOCKET_MS, outboundSocketInactivityTimeout: IDLE_SOCKET_MS }),
      circuitRelayTransport(),
    ],
    connectionEncrypters: [noise()],
    // yamux pings every connection every 30 s from each end to keep it open, and only logs a ping that fails: the
    // connection monitor's ping below keeps connections open too (NAT mappings included) and closes the dead ones.
    // A client's first streams follow the end of its handshake at once (the requests of a fan-out wait for one dial),
    // and may reach the node before its side of the connection is set up: the muxer holds such streams until then,
    // and with libp2p's default of 10 it reset the whole connection on the 11th (seen: 10 requests plus identify to a
    // node just started, on a loaded machine). Hold as many as the connection may have.
    streamMuxers: [
      yamux({ maxInboundStreams: MAX_INBOUND_STREAMS, maxEarlyStreams: MAX_INBOUND_STREAMS, enableKeepAlive: false }),
    ],
    // Every local node is 127.0.0.x: without this the 6th dial within a second from one IP is refused.
    // libp2p counts a relayed connection against its relay's IP, so every client of a node behind NAT shares those
    // 5 a second (a deploy right after a pool acquire was refused); 64 a second per IP keeps a bound (with
    // maxConnections and the pending-connection limit) that a relay's clients together do not reach.
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'], inboundConnectionThreshold: 64 },
    // libp2p pings every connection every 10 s by default (a new stream, its protocol negotiation and a peer store
    // write, at both ends): most of an idle node's cpu, growing with its peers (6 nodes joined: 0.85 % of a core
    // each; 0.3 % at 60 s). A peer that dies closes its TCP connection; the ping only finds silent half-open ones,
    // and keeps a connection through a NAT (a node's to its relay) open: 4 min stays under the 5 min after which
    // some NATs drop an idle TCP mapping. BENCH=idle, 10 nodes joined: 0.51 % each with yamux's keep-alive and a 60 s
    // ping, 0.36 % with these settings.
    connectionMonitor: { pingInterval: PING_INTERVAL_MS },
  }
  try {
    if (options.discovery === undefined) {
      // A client dials the one address it was given, within the caller's timeout (its signal): libp2p's own 6 s per
      // address cut a Noise handshake short on a loaded machine though the caller allowed 60 s.
      const connectionManager = { ...base.connectionManager, addressDialTimeout: MAX_CLIENT_DIAL_MS }
      return await createLibp2p({ ...base, connectionManager, services: { identify: identify() } })
    }
    // Loaded here: a client (every `flotilla node call`) never needs the DHT, mDNS or bootstrap modules.
    const { discoveryServices } = await import('./discovery-services.js')
    const pieces = await discoveryServices(options.discovery)
    const services = {
      ...options.services,
      ...nat?.services,
      ...pieces.services,
      ...(named ? { namedAddresses: named } : {}),
    }
    return await createLibp2p({ ...base, services, peerDiscovery: pieces.peerDiscovery })
  } catch (err) {
    const text = String((err as Error)?.message ?? err)
    if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(text)) {
      throw new NodeError(
        'E_USAGE',
        `cannot listen on ${listen.join(', ')}: the address is in use (another node running?). ` +
          `Pick another port with --listen, e.g. --listen /ip4/127.0.0.1/tcp/0 for any free port`,
        { cause: err },
      )
    }
    if ((err as Error)?.name === 'UnsupportedListenAddressesError') {
      const why = /listen (E[A-Z]+: [^\n]*)/.exec(text)?.[1] ?? 'not an /ip4 or /ip6 TCP address'
      throw new NodeError(
        'E_USAGE',
        `cannot listen on ${listen.join(', ')} (${why}): give --listen a TCP address of this machine, like /ip4/127.0.0.1/tcp/1224`,
        { cause: err },
      )
    }
    throw err
  }
}

export interface DiscoveryNodeOptions extends DiscoveryOptions {
  privateKey?: Ed25519PrivateKey
  /** listen multiaddrs; none for a client */
  listen?: string[]
}

/** A node that only takes part in discovery (the browse client, tests, benchmarks): a node manager's libp2p. */
export function createDiscoveryNode(options: DiscoveryNodeOptions = {}): Promise<DiscoveryNode> {
  const { privateKey, listen, ...discovery } = options
  return createNodeLibp2p({ ...(privateKey ? { privateKey } : {}), ...(listen ? { listen } : {}), discovery })
}
