// Guest code woken by a settled host promise runs from a microtask of the worker. A chain of such wake-ups (two
// threads handing a lock back and forth, each release settling the other's acquire) would never end the microtask
// queue, so the worker's event loop would never turn again: no timer (another thread's sleep), no message (an
// openconnection's answer) would ever be seen. This watches for that: once the loop has not turned for a while,
// the guest's next run waits for it to turn.

/** The longest the guest may run from microtasks before the event loop gets a turn. */
export const TURN_MS = 2

export class EventTurns {
  private turnPending = false
  private chainStarted = 0
  private deferred = false

  constructor(private readonly now: () => number) {}

  /** Whether the guest may run now; if not, `run` is called again once the event loop has turned. */
  mayRun(run: () => void): boolean {
    if (!this.turnPending) {
      // Nothing is waiting for a turn: a new chain of microtask runs starts here; the turn marks its end.
      this.turnPending = true
      this.chainStarted = this.now()
      setImmediate(() => {
        this.turnPending = false
      })
      return true
    }
    if (this.now() - this.chainStarted <= TURN_MS) return true
    if (!this.deferred) {
      this.deferred = true
      setImmediate(() => {
        this.deferred = false
        run()
      })
    }
    return false
  }
}
