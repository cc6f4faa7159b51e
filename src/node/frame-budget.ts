// The memory budget for incoming requests: a request's bytes are reserved from it, on its length prefix, before
// its body is read, and given back once it is answered. Each peer may hold only a share of the budget, and large
// requests leave a reserve for small ones (GetVessels, most signed calls) so that big frames cannot starve them.
import { NodeError } from '../protocol/errors.js'
import { PeerTally } from './peer-tally.js'

export interface FrameLimits {
  /** bytes of requests being received or handled, all peers together */
  total: number
  /** the part of `total` one peer may hold */
  perPeer: number
  /** requests up to this size may use the reserve below */
  smallFrame: number
  /** the part of `total` kept for requests of at most `smallFrame` bytes */
  smallReserve: number
}

const MiB = 1024 * 1024
export const DEFAULT_FRAME_LIMITS: FrameLimits = {
  total: 256 * MiB,
  perPeer: 48 * MiB,
  smallFrame: 64 * 1024,
  smallReserve: 16 * MiB,
}

export class FrameBudget {
  private readonly tally = new PeerTally()

  constructor(private readonly limits: FrameLimits) {}

  /** Bytes reserved, in all or by one peer. */
  used(peer?: string): number {
    return this.tally.used(peer)
  }

  /** Reserves `bytes` for `peer` and answers their release (idempotent), or refuses with E_BUSY. */
  reserve(peer: string, bytes: number): () => void {
    const held = this.tally.used(peer)
    if (held + bytes > this.limits.perPeer) {
      throw new NodeError(
        'E_BUSY',
        `this peer's requests being received hold ${held} of its ${this.limits.perPeer} bytes; a ${bytes}-byte request must wait for their answers`,
      )
    }
    const room = bytes <= this.limits.smallFrame ? this.limits.total : this.limits.total - this.limits.smallReserve
    if (this.tally.used() + bytes > room) {
      throw new NodeError(
        'E_BUSY',
        `the node has no room for a ${bytes}-byte request now (its memory for incoming requests is in use); retry later`,
      )
    }
    return this.tally.hold(peer, bytes)
  }
}
