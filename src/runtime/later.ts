// An operation's answer that comes later and that the operation settles itself, as a socket's recvAsync or
// sendAsync does when it must wait. The bridge settles the guest's promise as this one is settled, in the same
// turn. Through a Promise, every wait cost two host promises and a microtask each between the connection's wake-up
// and the guest; and the bytes of a recv had to become a host string, since other guest code could run in between.
// Settled only by a wake-up, outside the guest's calls: never before the operation has returned it.
import { takenNow, type GuestValue, type OutBytes } from './guest-value.js'

type Listener = (ok: boolean, value: unknown) => void

export class Later<T> {
  private state: { ok: boolean; value: unknown } | null = null
  private listener: Listener | null = null

  resolve(value: T): void {
    this.settle(true, value)
  }

  reject(error: unknown): void {
    this.settle(false, error)
  }

  /** `listener` runs once, when this is settled (at once if it is). One listener only. */
  whenSettled(listener: Listener): void {
    if (this.state) listener(this.state.ok, this.state.value)
    else this.listener = listener
  }

  /** A Later of `fn` of the value (rejected with what `fn` throws); the same error if this is rejected. */
  map<U>(fn: (value: T) => U): Later<U> {
    const mapped = new Later<U>()
    this.whenSettled((ok, value) => {
      if (!ok) return mapped.reject(value)
      try {
        mapped.resolve(fn(value as T))
      } catch (err) {
        mapped.reject(err)
      }
    })
    return mapped
  }

  private settle(ok: boolean, value: unknown): void {
    if (this.state) return
    this.state = { ok, value }
    const listener = this.listener
    this.listener = null
    listener?.(ok, value)
  }
}

/** The same answer as a Promise (for an answer that is held back further): bytes are taken as it settles. */
export function laterPromise(later: Later<GuestValue | OutBytes>): Promise<GuestValue> {
  return new Promise((resolve, reject) =>
    later.whenSettled((ok, value) => {
      if (ok) resolve(takenNow(value as GuestValue | OutBytes))
      else reject(value)
    }),
  )
}
