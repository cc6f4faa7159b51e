// libp2p announces a public listen address only once AutoNAT confirmed it (four peers dialled back), so a public
// node that is the first of a testbed (a bootstrap node, a pool) would announce no address at all. A public address
// named in --listen (not a wildcard) is bound on this machine's own interface: this service confirms it as soon as
// the node listens. A wildcard listen (0.0.0.0, ::) still waits for AutoNAT.
//   services: { namedAddresses: namedAddressesService(['/ip4/<a public address of this machine>/tcp/1224']) }
import type { ComponentLogger, Libp2pEvents, Logger, Startable, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, TransportManager } from '@libp2p/interface-internal'
import { getNetConfig, isPrivate } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

export interface NamedAddressesComponents {
  events: TypedEventTarget<Libp2pEvents>
  addressManager: AddressManager
  transportManager: TransportManager
  logger: ComponentLogger
}

function hostOf(address: Multiaddr): string | undefined {
  try {
    return getNetConfig(address).host
  } catch {
    return undefined
  }
}

class NamedAddresses implements Startable {
  private readonly log: Logger

  constructor(
    private readonly components: NamedAddressesComponents,
    private readonly hosts: ReadonlySet<string>,
  ) {
    this.log = components.logger.forComponent('flotilla:named-addresses')
  }

  start(): void {
    this.components.events.addEventListener('transport:listening', this.onListening)
  }

  stop(): void {
    this.components.events.removeEventListener('transport:listening', this.onListening)
  }

  private readonly onListening = (): void => {
    for (const address of this.components.transportManager.getAddrs()) {
      if (isPrivate(address) || !this.hosts.has(hostOf(address) ?? '')) continue
      this.log('%a was named in --listen: announced without waiting for AutoNAT', address)
      this.components.addressManager.confirmObservedAddr(address, { type: 'transport' })
    }
  }
}

/** The service factory for the node's `listen` multiaddrs (null when none names a specific host). */
export function namedAddressesService(
  listen: readonly string[],
): ((components: NamedAddressesComponents) => Startable) | null {
  const hosts = new Set<string>()
  for (const text of listen) {
    let host: string | undefined
    try {
      host = hostOf(multiaddr(text))
    } catch {
      continue
    }
    if (host !== undefined && host !== '0.0.0.0' && host !== '::') hosts.add(host)
  }
  return hosts.size === 0 ? null : (components) => new NamedAddresses(components, hosts)
}
