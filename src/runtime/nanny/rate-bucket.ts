// Repy's one-second leaky bucket for a renewable resource (docs/REPY.md, 'The nanny'). It never sleeps: it
// says how long the caller must wait, and the caller calls tattle(0) again after waiting.
import { performance } from 'node:perf_hooks'

const defaultNow = (): number => performance.now() / 1000

export class RateBucket {
  private consumed = 0
  private last: number
  /** The level right after the last tattle: what Repy's getresources reports (its table is updated only then). */
  private atLastTattle = 0

  /** `limit` per second (> 0); `now` gives seconds on any monotonic clock. */
  constructor(
    readonly limit: number,
    private readonly now: () => number = defaultNow,
  ) {
    if (!(limit > 0) || !Number.isFinite(limit)) throw new Error(`RateBucket limit must be positive, got ${limit}`)
    this.last = now()
  }

  /** Adds `quantity` (≥ 0) and returns the seconds the caller must wait before going on (0: none). `now`: a
   *  reading of the bucket's clock the caller just took. */
  tattle(quantity: number, now = this.now()): number {
    if (!(quantity >= 0)) throw new Error(`RateBucket quantity must be a non-negative number, got ${quantity}`)
    this.drain(now)
    this.consumed += quantity
    this.atLastTattle = this.consumed
    return this.consumed > this.limit ? (this.consumed - this.limit) / this.limit : 0
  }

  /** Seconds until `quantity` more fits under the limit (0: it fits now); charges nothing. A quantity above the
   *  limit counts as the limit, so that it fits once the bucket is empty. */
  roomWait(quantity: number): number {
    this.drain()
    const over = this.consumed + Math.min(quantity, this.limit) - this.limit
    return over > 0 ? over / this.limit : 0
  }

  /** The current level (what has been used and not yet drained). */
  level(): number {
    this.drain()
    return this.consumed
  }

  /** The level as it was right after the last tattle (0 before any). */
  levelAtLastTattle(): number {
    return this.atLastTattle
  }

  /** A reading older than the last one (a caller's, taken before a wait) drains nothing and keeps the last. */
  private drain(now = this.now()): void {
    if (!(now > this.last)) return
    this.consumed = Math.max(0, this.consumed - (now - this.last) * this.limit)
    this.last = now
  }
}
