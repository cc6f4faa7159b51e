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
  timer: NodeJS.Timeout
}

export class KeptStreams {
  private readonly idle = new Map<string, Idle[]>()

  /** Wraps a newly opened kept stream. */
  static wrap(stream: Stream): KeptStream {
    return { stream, lp: lpStream(stream, LP_OPTIONS) }
  }

  /** An idle stream to `address` that is still open both ways, if any (the most recently used). */
  take(address: string): KeptStream | undefined {
    const list = this.idle.get(address)
    while (list !== undefined && list.length > 0) {
      const { stream, lp, timer } = list.pop()!
      clearTimeout(timer)
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
    const entry: Idle = {
      ...kept,
      timer: setTimeout(() => {
        const at = list.indexOf(entry)
        if (at >= 0) list.splice(at, 1)
        if (list.length === 0 && this.idle.get(address) === list) this.idle.delete(address)
        closeStream(kept.stream)
      }, IDLE_MS).unref(),
    }
    list.push(entry)
    this.idle.set(address, list)
  }

  /** Closes the idle streams to `address` (after one of them turned out stale: the node restarted or went away). */
  drop(address: string): void {
    for (const { stream, timer } of this.idle.get(address) ?? []) {
      clearTimeout(timer)
      stream.abort(new Error('dropped with the other kept streams to this node'))
    }
    this.idle.delete(address)
  }

  /** Forgets every idle stream (their connections are closed by the caller). */
  clear(): void {
    for (const list of this.idle.values()) for (const { timer } of list) clearTimeout(timer)
    this.idle.clear()
  }
}

const usable = (stream: Stream): boolean =>
  stream.status === 'open' && stream.writeStatus === 'writable' && stream.remoteWriteStatus === 'writable'

function closeStream(stream: Stream): void {
  if (stream.writeStatus === 'writable') stream.close().catch(() => stream.abort(new Error('close failed')))
  else stream.abort(new Error('the kept stream is no longer usable'))
}
