// Counted slots with a cap per peer and a cap in all (streams being read, requests being handled), so that one
// peer holding its maximum leaves room for the others.
import { PeerTally } from './peer-tally.js'

/** Why no slot was given: the peer holds its share, or the node is full. */
export type NoSlot = 'peer' | 'node'

export class PeerSlots {
  private readonly tally = new PeerTally()

  constructor(
    readonly perPeer: number,
    readonly max: number,
  ) {}

  /** Slots in use, in all or by one peer. */
  used(peer?: string): number {
    return this.tally.used(peer)
  }

  /** Takes a slot for `peer` and answers its release (idempotent), or why there is none. */
  take(peer: string): (() => void) | NoSlot {
    if (this.tally.used(peer) >= this.perPeer) return 'peer'
    if (this.tally.used() >= this.max) return 'node'
    return this.tally.hold(peer, 1)
  }
}
