// Serves /flotilla/nm/1.0.0 on a libp2p node: one length-prefixed request and one response per stream.
// Reading a request and handling it are separate stages with their own caps, per peer and in all: a stream that
// sends nothing holds a reading slot only until its first-byte deadline and never a handling slot; a request's bytes
// are reserved from the frame budget before they are kept (frame-budget.ts, request-reader.ts).
import type { Libp2p, Stream } from '@libp2p/interface'
import { NodeError } from '../protocol/errors.js'
import { PROTOCOL_ID, encodeResponse, errorResponse, type Response } from '../protocol/messages.js'
import { DEFAULT_FRAME_LIMITS, FrameBudget, type FrameLimits } from './frame-budget.js'
import { MAX_PROTOCOL_STREAMS } from '../p2p/libp2p-node.js'
import { PeerSlots } from './peer-slots.js'
import { encode as encodeLength } from 'uint8-varint'
import { readRequest, requestDeadlineMs, stopReading, StreamGone, type ReadDeadlines } from './request-reader.js'

export interface StreamLimits extends ReadDeadlines {
  /** streams of this protocol on one connection (libp2p's maxInboundStreams); more are reset by libp2p */
  perConnection: number
  /** streams whose request is being read: per peer, and in all */
  readingPerPeer: number
  reading: number
  /** requests being handled: per peer, and in all */
  handlingPerPeer: number
  handling: number
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  perConnection: 128,
  readingPerPeer: 64,
  reading: 2048,
  handlingPerPeer: 64,
  handling: 512,
  firstByteMs: 5_000,
  requestBaseMs: 10_000,
  minBytesPerSecond: 256 * 1024,
}

export type RequestHandler = (bytes: Uint8Array, remotePeer: string) => Promise<Response<unknown>>

/** What the service holds now (tests, benchmarks, the owner's console). */
export interface ProtocolStats {
  /** streams whose request is being read */
  reading: number
  /** requests being handled */
  handling: number
  /** bytes reserved for requests being received or handled */
  frameBytes: number
}

export interface ProtocolService {
  stats(): ProtocolStats
}

/** A request answered before it reached the handler (E_BUSY, E_TIMEOUT, E_SIZE…), for the node's log. */
export type RefusalHook = (peer: string, error: NodeError) => void

export async function serveProtocol(
  node: Libp2p,
  handle: RequestHandler,
  limits: { streams?: StreamLimits; frames?: FrameLimits } = {},
  refused: RefusalHook = () => undefined,
): Promise<ProtocolService> {
  const streams = limits.streams ?? DEFAULT_STREAM_LIMITS
  const reading = new PeerSlots(streams.readingPerPeer, streams.reading)
  const handling = new PeerSlots(streams.handlingPerPeer, streams.handling)
  const budget = new FrameBudget(limits.frames ?? DEFAULT_FRAME_LIMITS)

  const refuse = (peer: string, err: NodeError): Response<unknown> => {
    refused(peer, err)
    return errorResponse(err)
  }

  const answer = async (
    stream: Stream,
    peer: string,
    hold: (release: () => void) => void,
  ): Promise<Response<unknown> | undefined> => {
    const readSlot = reading.take(peer)
    if (typeof readSlot === 'string') {
      stopReading(stream)
      return refuse(
        peer,
        busy(
          readSlot === 'peer'
            ? `this peer already has ${streams.readingPerPeer} requests being received; wait for their answers`
            : `the node is receiving ${streams.reading} requests; retry later`,
        ),
      )
    }
    let bytes: Uint8Array
    try {
      bytes = await readRequest(stream, streams, (n) => hold(budget.reserve(peer, n)))
    } catch (err) {
      if (err instanceof NodeError) return refuse(peer, err)
      stream.abort(err instanceof StreamGone ? err : new Error(String(err)))
      return undefined
    } finally {
      readSlot()
    }
    const handleSlot = handling.take(peer)
    if (typeof handleSlot === 'string') {
      return refuse(
        peer,
        busy(
          handleSlot === 'peer'
            ? `this peer already has ${streams.handlingPerPeer} requests being handled; wait for their answers`
            : `the node is handling ${streams.handling} requests; retry later`,
        ),
      )
    }
    try {
      return await handle(bytes, peer)
    } finally {
      handleSlot()
    }
  }

  await node.handle(
    PROTOCOL_ID,
    async (stream, connection) => {
      const releases: Array<() => void> = []
      let sent = false
      try {
        const response = await answer(stream, connection.remotePeer.toString(), (r) => releases.push(r))
        if (response !== undefined) sent = await send(stream, response, streams)
      } finally {
        for (const release of releases) release()
      }
      if (sent) await linger(stream, streams)
    },
    { maxInboundStreams: streams.perConnection, maxOutboundStreams: MAX_PROTOCOL_STREAMS },
  )

  return { stats: () => ({ reading: reading.used(), handling: handling.used(), frameBytes: budget.used() }) }
}

const busy = (message: string): NodeError => new NodeError('E_BUSY', message)

/** Sends the response and closes the writing end; a peer that does not take it in time is reset. */
async function send(stream: Stream, response: Response<unknown>, deadlines: ReadDeadlines): Promise<boolean> {
  const body = encodeResponse(response)
  const signal = AbortSignal.timeout(requestDeadlineMs(body.length, deadlines))
  try {
    stream.send(encodeLength(body.length))
    if (!stream.send(body)) await stream.onDrain({ signal })
    await stream.close({ signal })
    return true
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    return false
  }
}

/** Waits for the peer to close its end after the answer; one that does not within a short time is reset. */
function linger(stream: Stream, deadlines: ReadDeadlines): Promise<void> {
  if (stream.status !== 'open') return Promise.resolve()
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      stream.removeEventListener('close', done)
      stream.abort(new Error('the peer did not close the stream after its answer'))
      resolve()
    }, deadlines.requestBaseMs)
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    stream.addEventListener('close', done, { once: true })
  })
}
