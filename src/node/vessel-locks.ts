// The node manager's locks: one per vessel, so that requests on different vessels never wait for each other, and
// one over all vessels for changes to the vessel set (split, join, restarts), which waits for every vessel's
// sections under way and holds back the ones that come after it. Sections must not nest.
export class VesselLocks {
  private all: Promise<unknown> = Promise.resolve()
  private readonly tails = new Map<string, Promise<unknown>>()

  /** Runs `fn` alone among the sections on `vessel` and the sections over all vessels. */
  vessel<T>(vessel: string, fn: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.all, this.tails.get(vessel)]).then(fn)
    const tail = run.catch(() => undefined)
    this.tails.set(vessel, tail)
    void tail.then(() => {
      if (this.tails.get(vessel) === tail) this.tails.delete(vessel)
    })
    return run
  }

  /** Runs `fn` alone among all sections. */
  everything<T>(fn: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.all, ...this.tails.values()]).then(fn)
    this.all = run.catch(() => undefined)
    return run
  }
}
