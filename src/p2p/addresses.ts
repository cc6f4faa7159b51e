// Multiaddr parts every libp2p user here needs (no libp2p modules loaded: the client imports it too).
import type { Multiaddr } from '@multiformats/multiaddr'

/** The peer id in a multiaddr's /p2p/ part, if any. */
export function peerIdOf(address: Multiaddr): string | undefined {
  return address.getComponents().find((c) => c.name === 'p2p')?.value
}
