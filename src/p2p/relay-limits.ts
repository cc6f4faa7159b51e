// When a node uses a relay, and what a node manager gives peers behind NAT as a Circuit Relay v2 server (every node manager is one unless started
// with --no-relay): how many peers may hold a reservation on it, for how long, and how much each relayed connection
// may carry before the relay closes it. A relayed connection only carries node-manager requests (a deploy is a few
// requests of at most a few MiB), so the defaults bound what a stranger can make a node forward, not what it needs.
import type { CircuitRelayServerInit } from '@libp2p/circuit-relay-v2'

/** When a node reserves a relay slot for itself: when a NAT is seen (auto), at start (always), or never. */
export type RelayReserve = 'auto' | 'always' | 'never'
export const RELAY_RESERVE_MODES: readonly RelayReserve[] = ['auto', 'always', 'never']

export interface RelayLimits {
  /** peers holding a reservation at once */
  reservations: number
  /** how long a reservation lasts before the peer must renew it */
  reservationMs: number
  /** bytes one relayed connection may carry (both ways together) */
  connectionBytes: number
  /** how long one relayed connection may stay open */
  connectionMs: number
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  reservations: 64,
  reservationMs: 60 * 60_000,
  connectionBytes: 64 * 1024 * 1024,
  connectionMs: 10 * 60_000,
}

/** The relay server's settings for createLibp2p's circuitRelayServer. */
export function relayServerInit(limits: RelayLimits): CircuitRelayServerInit {
  return {
    reservations: {
      maxReservations: limits.reservations,
      reservationTtl: limits.reservationMs,
      applyDefaultLimit: true,
      defaultDataLimit: BigInt(limits.connectionBytes),
      defaultDurationLimit: limits.connectionMs,
    },
    // one HOP stream per reservation or relayed dial being set up; libp2p's default is 32
    maxInboundHopStreams: Math.max(32, limits.reservations),
  }
}
