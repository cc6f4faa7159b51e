// The client's idle kept streams (/flotilla/nm/1.1.0), per node address: a request takes one if there is one and
// gives it back once answered, so a sequence of requests costs one stream instead of one each (protocol-service.ts).
// Bounded: at most MAX_IDLE_STREAMS wait per address, each for at most IDLE_MS (shorter than the node's idle time,
// so the node seldom closes a stream a client is about to use; when it does, transport.ts retries on a new one).
import type { Stream } from '@libp2p/interface'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { LP_OPTIONS } from '../p2p/framing.js'

/** Idle streams kept per address. */
export const MAX_IDLE_STREAMS = 64
/** How long an idle stream is kept; the node closes its end after its own idle time (10 s by default). */
export const IDLE_MS = 5_000

export interface KeptStream {
  stream: Stream
  lp: LengthPrefixedStream<Stream>
}

interface Idle extends KeptStream {
  /** when it was given back (performance.now(): a clock that never goes back) */
  since: number
}

export class KeptStreams {
  private readonly idle = new Map<string, Idle[]>()
  /** One timer closes the streams idle for idleMs (a timer per stream given back cost each request its setting and
   *  clearing); it runs only while some stream is idle. */
  private sweeper: NodeJS.Timeout | undefined

  /** `idleMs`: how long a stream may wait for its next request (tests shorten it) */
  constructor(private readonly idleMs = IDLE_MS) {}

  /** Wraps a newly opened kept stream. */
  static wrap(stream: Stream): KeptStream {
    return { stream, lp: lpStream(stream, LP_OPTIONS) }
  }

  /** An idle stream to `address` that is still open both ways, if any (the most recently used). */
  take(address: string): KeptStream | undefined {
    const list = this.idle.get(address)
    while (list !== undefined && list.length > 0) {
      const { stream, lp } = list.pop()!
      if (list.length === 0) this.idle.delete(address)
      if (usable(stream)) return { stream, lp }
      stream.abort(new Error('the kept stream was closed while idle'))
    }
    return undefined
  }

  /** Keeps an answered stream for the next request, or closes it when it cannot be reused or enough are kept. */
  give(address: string, kept: KeptStream): void {
    const list = this.idle.get(address) ?? []
    if (!usable(kept.stream) || list.length >= MAX_IDLE_STREAMS) {
      closeStream(kept.stream)
      return
    }
    list.push({ stream: kept.stream, lp: kept.lp, since: performance.now() })
    this.idle.set(address, list)
    this.sweeper ??= setTimeout(() => this.sweep(), this.idleMs).unref()
  }

  /** Closes the streams idle for idleMs (the oldest of each list are at its start) and waits for the next one. */
  private sweep(): void {
    this.sweeper = undefined
    const now = performance.now()
    let next = Infinity
    for (const [address, list] of this.idle) {
      let stale = 0
      while (stale < list.length && now - list[stale]!.since >= this.idleMs) closeStream(list[stale++]!.stream)
      list.splice(0, stale)
      if (list.length === 0) this.idle.delete(address)
      else next = Math.min(next, list[0]!.since + this.idleMs - now)
    }
    if (next !== Infinity) this.sweeper = setTimeout(() => this.sweep(), next).unref()
  }

  /** Closes the idle streams to `address` (after one of them turned out stale: the node restarted or went away). */
  drop(address: string): void {
    for (const { stream } of this.idle.get(address) ?? [])
      stream.abort(new Error('dropped with the other kept streams to this node'))
    this.idle.delete(address)
  }

  /** Forgets every idle stream (their connections are closed by the caller). */
  clear(): void {
    clearTimeout(this.sweeper)
    this.sweeper = undefined
    this.idle.clear()
  }
}

const usable = (stream: Stream): boolean =>
  stream.status === 'open' && stream.writeStatus === 'writable' && stream.remoteWriteStatus === 'writable'

function closeStream(stream: Stream): void {
  if (stream.writeStatus === 'writable') stream.close().catch(() => stream.abort(new Error('close failed')))
  else stream.abort(new Error('the kept stream is no longer usable'))
}
