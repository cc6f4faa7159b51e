// The contract between the guest API and the nanny. Every API function charges its resource through one of
// these methods, at one place, next to its effect. The nanny lives in the vessel's worker thread.
import type { ItemResource, PortResource, RateResource, ResourceUsage, Restrictions, StopTime } from './resources.js'

export interface Nanny {
  readonly restrictions: Restrictions

  /** Renewable, "block first": waits (blocking the thread) while the bucket is over quota; charges nothing.
   *  A renewable whose limit is 0 throws ResourceForbiddenError (Repy dies with an internal error instead). */
  waitFor(resource: RateResource): void
  /** Renewable: adds `amount` to the bucket and waits while it is over quota (Repy's tattle_quantity). */
  charge(resource: RateResource, amount: number): void
  /** Renewable, "room first": waits until `amount` more fits under the quota (at most the quota is needed), so
   *  that charging it next never takes the level over. With deferRateWaits it does not block: it returns the
   *  seconds to wait before asking again (0 when there is room now). */
  makeRoom(resource: RateResource, amount: number): number
  /** With deferRateWaits: the seconds the caller must still wait before its next step (0 if none); clears it. */
  takeDeferredWait(): number
  /** A renewable's level as of its last charge or wait, not drained since: what getresources reports, as Repy's
   *  does (its consumption table is updated only when a resource is charged). usage() gives the live level. */
  levelAtLastCharge(resource: RateResource): number

  /** Counted item: takes one item with this id (idempotent for an id already held); ResourceExhaustedError at the limit. */
  acquire(resource: ItemResource, id: string): void
  /** Counted item: gives the item back (idempotent). */
  release(resource: ItemResource, id: string): void

  /** Port set: ResourceForbiddenError unless `port` is in the restrictions' set. */
  checkPort(resource: PortResource, port: number): void
  /** Record a port as in use / no longer in use (reported by getresources). */
  portOpened(resource: PortResource, port: number): void
  portClosed(resource: PortResource, port: number): void

  /** Disk: reserve `bytes` more of diskused before a write or create; ResourceExhaustedError (nothing reserved) if
   *  it would exceed the quota. A negative number frees space (remove, truncation never happens in Repy). */
  chargeDisk(bytes: number): void

  /** Called from QuickJS's interrupt handler: holds the thread to its cpu share (pausing it in short sleeps).
   *  Throws ResourceForbiddenError if the cpu limit is 0. */
  onInterrupt(): void
  /** A host call begins: until it ends, the rate buckets read the clock once for all their charges. */
  beginCall(): void
  endCall(): void

  /** Deep copy of the current usage. */
  usage(): ResourceUsage
  /** The last 100 cpu stops. */
  stopTimes(): StopTime[]
  /** Writes the current usage to the usage board now, if there is one (it is also refreshed every ~100 ms). */
  publish(): void
}
