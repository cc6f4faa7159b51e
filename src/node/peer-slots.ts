// Counted slots with a cap per peer and a cap in all (streams being read, requests being handled), so that one
// peer holding its maximum leaves room for the others.

/** Why no slot was given: the peer holds its share, or the node is full. */
export type NoSlot = 'peer' | 'node'

export class PeerSlots {
  private readonly byPeer = new Map<string, number>()
  private count = 0

  constructor(readonly perPeer: number, readonly max: number) {}

  /** Slots in use, in all or by one peer. */
  used(peer?: string): number {
    return peer === undefined ? this.count : (this.byPeer.get(peer) ?? 0)
  }

  /** Takes a slot for `peer` and answers its release (idempotent), or why there is none. */
  take(peer: string): (() => void) | NoSlot {
    const held = this.byPeer.get(peer) ?? 0
    if (held >= this.perPeer) return 'peer'
    if (this.count >= this.max) return 'node'
    this.byPeer.set(peer, held + 1)
    this.count++
    let released = false
    return () => {
      if (released) return
      released = true
      this.count--
      const left = (this.byPeer.get(peer) ?? 1) - 1
      if (left === 0) this.byPeer.delete(peer)
      else this.byPeer.set(peer, left)
    }
  }
}
