// Multiaddr parts every libp2p user here needs (no libp2p modules loaded: the client imports it too).
import type { Multiaddr } from '@multiformats/multiaddr'

/** The peer id in a multiaddr's last /p2p/ part, if any: in a relayed address (…/p2p/<relay>/p2p-circuit/p2p/<peer>)
 *  the peer reached through the relay. */
export function peerIdOf(address: Multiaddr): string | undefined {
  const peers = address.getComponents().filter((c) => c.name === 'p2p')
  return peers[peers.length - 1]?.value
}

/** A relayed address: …/p2p/<relay>/p2p-circuit(/p2p/<peer>). */
export function isCircuit(address: Multiaddr): boolean {
  return address.getComponents().some((c) => c.name === 'p2p-circuit')
}

/** The address with /p2p/<peer> at its end, unless it has it already. */
export function withPeerId(address: Multiaddr, peer: string): Multiaddr {
  const last = address.getComponents().at(-1)
  return last?.name === 'p2p' && last.value === peer ? address : address.encapsulate(`/p2p/${peer}`)
}
