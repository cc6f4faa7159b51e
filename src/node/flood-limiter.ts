// Keeps any peer from flooding the node's log. The log is a ring, so it never grows past its size, but a peer that
// sends thousands of refused requests would push everything else out of it. Lines about what strangers do (refusals,
// public calls, internal errors) pass at most `perKind` times per peer and kind (an error code, or 'ok') and `total`
// times in all per window; the rest are counted, and at the end of each window the counts are reported, so the log
// says how many lines it dropped and whose.
//   const limiter = new FloodLimiter(DEFAULT_FLOOD_LIMITS, (dropped) => ...)
//   if (limiter.admit(peer, 'E_SIGNATURE')) log.warn(...)      ...      limiter.close()   // reports what is left

export interface FloodLimits {
  /** length of a counting window */
  windowMs: number
  /** lines let through per peer and kind in a window */
  perKind: number
  /** lines let through in a window from all peers together */
  total: number
  /** peers counted one by one in a window; the lines of further peers are dropped and counted together */
  peers: number
}

export const DEFAULT_FLOOD_LIMITS: FloodLimits = { windowMs: 60_000, perKind: 5, total: 100, peers: 1000 }

/** Lines dropped in a window: of one peer, or (peer null) of the peers beyond the `peers` limit. */
export interface Dropped {
  peer: string | null
  lines: number
  /** lines per kind */
  kinds: Record<string, number>
}

export class FloodLimiter {
  /** lines let through this window, per `${peer} ${kind}` */
  private readonly passed = new Map<string, number>()
  private readonly peersSeen = new Set<string>()
  private readonly dropped = new Map<string | null, Dropped>()
  private total = 0
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly limits: FloodLimits,
    private readonly report: (dropped: Dropped[]) => void,
  ) {
    this.timer = setInterval(() => this.flush(), limits.windowMs)
    this.timer.unref()
  }

  /** Whether a line of this peer and kind may be written now; if not, it is counted. `kind` must come from a small
   *  fixed set (error codes), never from what the peer sent. */
  admit(peer: string, kind: string): boolean {
    const known = this.peersSeen.has(peer) || this.peersSeen.size < this.limits.peers
    if (known) this.peersSeen.add(peer)
    const key = `${peer} ${kind}`
    const count = this.passed.get(key) ?? 0
    if (known && count < this.limits.perKind && this.total < this.limits.total) {
      this.passed.set(key, count + 1)
      this.total++
      return true
    }
    const bucket = known ? peer : null
    let d = this.dropped.get(bucket)
    if (d === undefined) this.dropped.set(bucket, (d = { peer: bucket, lines: 0, kinds: {} }))
    d.lines++
    d.kinds[kind] = (d.kinds[kind] ?? 0) + 1
    return false
  }

  /** Reports the lines dropped in this window (most first) and starts a new one. */
  flush(): void {
    const dropped = [...this.dropped.values()].sort((a, b) => b.lines - a.lines)
    this.passed.clear()
    this.peersSeen.clear()
    this.dropped.clear()
    this.total = 0
    if (dropped.length > 0) this.report(dropped)
  }

  close(): void {
    clearInterval(this.timer)
    this.flush()
  }
}
