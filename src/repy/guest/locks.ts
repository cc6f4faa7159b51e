// Repy locks, kept inside the guest: a program's threads all run in this one QuickJS context (scheduler.ts), so a
// lock is only ever contended by threads of the same program and needs no call to the host. An uncontended
// acquire or release is a few property accesses; a blocking acquire of a held lock gives its thread a promise to
// wait on (the scheduler runs the other threads meanwhile), and release hands the lock straight to the longest
// waiter, as the host's locks do for JavaScript programs.

export class GuestLock {
  private locked = false
  private readonly waiters: Array<(value: true) => void> = []

  /** True when taken, false when held and not blocking; a promise of true for a blocking wait. */
  acquire(blocking: boolean): boolean | Promise<true> {
    if (!this.locked) {
      this.locked = true
      return true
    }
    if (!blocking) return false
    return new Promise<true>((resolve) => this.waiters.push(resolve))
  }

  /** False when the lock was not locked (the caller raises LockDoubleReleaseError). */
  release(): boolean {
    if (!this.locked) return false
    if (this.waiters.length === 0) this.locked = false
    else this.waiters.shift()!(true)
    return true
  }
}
