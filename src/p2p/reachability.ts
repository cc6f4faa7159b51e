// How a node manager can be reached, and reserving a relay slot when it cannot be reached directly (docs/ARCHITECTURE.md,
// 'Nodes behind NAT'). A libp2p service, so that it gets the node's address and transport managers:
//   services: { reachability: reachabilityService({ reserve: 'auto' }) }   ...   node.services.reachability.status()
// 'auto' decides from what peers see: identify tells each peer the address our connection came from; an address
// that is none of this machine's is a NAT's, so the node listens on /p2p-circuit (circuit-relay-v2 then reserves a
// slot on a connected relay server and adds the relayed addresses). AutoNAT only checks public addresses, so it
// cannot tell on a private network; a public address AutoNAT confirmed (or one named in --listen, named-addresses.ts)
// makes the node 'public' and it reserves nothing.
// While the node is reachable through a relay, it announces only its relayed addresses (announceFilter): its own
// are behind the NAT, and a client trying them first would wait for their time-out.
import { networkInterfaces } from 'node:os'
import type {
  ComponentLogger,
  IdentifyResult,
  Libp2pEvents,
  Logger,
  Startable,
  TypedEventTarget,
} from '@libp2p/interface'
import type { AddressManager, TransportManager } from '@libp2p/interface-internal'
import { getNetConfig, isLoopback, isPrivate } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { ReachabilityInfo } from '../protocol/results.js'
import { isCircuit } from './addresses.js'
import type { RelayReserve } from './relay-limits.js'

export type Reachability = ReachabilityInfo

export interface ReachabilityComponents {
  events: TypedEventTarget<Libp2pEvents>
  addressManager: AddressManager
  transportManager: TransportManager
  logger: ComponentLogger
}

export interface ReachabilityService {
  status(): Reachability
  /** libp2p's announceFilter: only the relayed addresses while reached through a relay */
  announce(addresses: Multiaddr[]): Multiaddr[]
}

const MAX_NAT_ADDRESSES = 8

/** The relay's peer id in a /p2p-circuit address: the /p2p/ part before /p2p-circuit. */
function relayOf(address: Multiaddr): string | undefined {
  const parts = address.getComponents()
  const circuit = parts.findIndex((c) => c.name === 'p2p-circuit')
  return parts
    .slice(0, circuit)
    .reverse()
    .find((c) => c.name === 'p2p')?.value
}

function ownHosts(): Set<string> {
  const hosts = new Set<string>()
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) hosts.add(i.address)
  return hosts
}

class NodeReachability implements ReachabilityService, Startable {
  private readonly natAddresses = new Set<string>()
  private reserving = false
  private readonly log: Logger

  constructor(
    private readonly components: ReachabilityComponents,
    private readonly reserve: RelayReserve,
    private readonly onChange: (status: Reachability) => void,
  ) {
    this.log = components.logger.forComponent('flotilla:reachability')
  }

  start(): void {
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.events.addEventListener('self:peer:update', this.onSelfUpdate)
  }

  afterStart(): void {
    if (this.reserve === 'always') this.reserveRelay()
  }

  stop(): void {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.events.removeEventListener('self:peer:update', this.onSelfUpdate)
  }

  status(): Reachability {
    const addresses = this.components.addressManager.getAddressesWithMetadata().filter((a) => a.verified)
    const relays = new Set<string>()
    for (const { multiaddr: a } of addresses) {
      const relay = isCircuit(a) ? relayOf(a) : undefined
      if (relay !== undefined) relays.add(relay)
    }
    const confirmedPublic = addresses.some(({ multiaddr: a }) => !isCircuit(a) && !isPrivate(a))
    const natAddresses = [...this.natAddresses]
    const relayed = relays.size > 0 && (this.reserve === 'always' || !confirmedPublic)
    const how = relayed ? 'relay' : confirmedPublic ? 'public' : natAddresses.length > 0 ? 'nat' : 'direct'
    return { how, relays: relayed ? [...relays] : [], natAddresses }
  }

  announce(addresses: Multiaddr[]): Multiaddr[] {
    if (this.status().how !== 'relay') return addresses
    return addresses.filter((a) => isCircuit(a))
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const observed = event.detail.observedAddr
    if (observed === undefined || isCircuit(observed) || isLoopback(observed)) return
    let host: string
    try {
      host = getNetConfig(observed).host
    } catch {
      return
    }
    if (ownHosts().has(host) || this.natAddresses.has(host)) return
    if (this.natAddresses.size >= MAX_NAT_ADDRESSES) return
    this.natAddresses.add(host)
    this.log('peer %p sees us at %s, not an address of this machine: behind a NAT', event.detail.peerId, host)
    if (this.reserve === 'auto') this.reserveRelay()
    this.onChange(this.status())
  }

  private readonly onSelfUpdate = (): void => {
    this.onChange(this.status())
  }

  private reserveRelay(): void {
    if (this.reserving) return
    this.reserving = true
    this.components.transportManager.listen([multiaddr('/p2p-circuit')]).catch((err: unknown) => {
      this.reserving = false
      this.log.error('could not listen for relayed connections: %e', err)
    })
  }
}

export interface ReachabilityInit {
  reserve: RelayReserve
  /** called when the status may have changed (a NAT seen, a reservation made or lost) */
  onChange?: (status: Reachability) => void
}

/**
 * The service factory for createLibp2p, and the announce filter that reads it (libp2p takes the filter before it
 * makes the services).
 */
export function reachabilityService(init: ReachabilityInit): {
  service: (components: ReachabilityComponents) => ReachabilityService
  announceFilter: (addresses: Multiaddr[]) => Multiaddr[]
} {
  let made: ReachabilityService | undefined
  return {
    service: (components) => (made = new NodeReachability(components, init.reserve, init.onChange ?? (() => {}))),
    announceFilter: (addresses) => made?.announce(addresses) ?? addresses,
  }
}
