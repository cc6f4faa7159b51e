// Amounts held per peer and in all (streams, bytes), each taken with a release that gives it back once: the
// bookkeeping under PeerSlots and FrameBudget, which decide whether a peer may take more.
export class PeerTally {
  private readonly byPeer = new Map<string, number>()
  private total = 0

  /** What is held, in all or by one peer. */
  used(peer?: string): number {
    return peer === undefined ? this.total : (this.byPeer.get(peer) ?? 0)
  }

  /** Counts `amount` for `peer`; the answer gives it back (idempotent). */
  hold(peer: string, amount: number): () => void {
    this.byPeer.set(peer, this.used(peer) + amount)
    this.total += amount
    let released = false
    return () => {
      if (released) return
      released = true
      this.total -= amount
      const left = this.used(peer) - amount
      if (left === 0) this.byPeer.delete(peer)
      else this.byPeer.set(peer, left)
    }
  }
}
