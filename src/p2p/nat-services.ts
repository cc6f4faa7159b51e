// What a node manager adds to its libp2p node for peers behind NAT (docs/ARCHITECTURE.md, 'Nodes behind NAT'):
// a Circuit Relay v2 server with bounded reservations (relay-limits.ts), AutoNAT (peers dial back the addresses we
// are seen at, to confirm public ones), DCUtR (upgrades a relayed connection to a direct one by hole punching where
// the NAT allows), identify push, UPnP/NAT-PMP port mapping when asked for, and the reachability service that reserves a relay
// slot when the node is behind a NAT (reachability.ts).
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identifyPush } from '@libp2p/identify'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ServiceFactoryMap } from 'libp2p'
import { reachabilityService, type Reachability } from './reachability.js'
import { relayServerInit, type RelayLimits, type RelayReserve } from './relay-limits.js'

export interface NatOptions {
  /** serve other nodes as a relay with these limits; false: serve none */
  relayServer: RelayLimits | false
  /** when this node reserves a relay slot for itself */
  reserve: RelayReserve
  /** ask the gateway to forward a port (UPnP / NAT-PMP) */
  upnp: boolean
  /** called when the node's reachability may have changed */
  onReachability?: (status: Reachability) => void
}

export interface NatPieces {
  services: ServiceFactoryMap
  announceFilter: (addresses: Multiaddr[]) => Multiaddr[]
}

export async function natServices(options: NatOptions): Promise<NatPieces> {
  const reachability = reachabilityService({
    reserve: options.reserve,
    ...(options.onReachability ? { onChange: options.onReachability } : {}),
  })
  const services: ServiceFactoryMap = {
    reachability: reachability.service,
    autoNAT: autoNAT(),
    dcutr: dcutr(),
    // tells connected peers (the DHT nodes that hand out our addresses) at once when our addresses change: after a
    // relay slot is reserved, they must hand out the relayed address, not the one behind the NAT
    identifyPush: identifyPush(),
  }
  if (options.relayServer !== false) services.relay = circuitRelayServer(relayServerInit(options.relayServer))
  // loaded only when asked for: its SSDP and XML modules are 0.3 MB of code an idle node would keep for nothing
  if (options.upnp) services.upnp = (await import('@libp2p/upnp-nat')).uPnPNAT()
  return { services, announceFilter: reachability.announceFilter }
}
