// Serves /flotilla/nm/1.0.0 as a libp2p service (nodeManagerProtocol, given to createLibp2p like js-libp2p's own
// protocols): one length-prefixed request and one response per stream; and /flotilla/nm/1.1.0, the same framing
// with requests one after another on a kept stream (each answered before the next is read), which spares a client
// a stream's opening, negotiation and closing per request. A kept stream between requests holds no slot; it is
// paused while its request is handled, so a peer that sends ahead can queue no more than the stream's window.
// Reading a request and handling it are separate stages with their own caps, per peer and in all: a stream that
// sends nothing holds a reading slot only until its first-byte deadline and never a handling slot; a request's bytes
// are reserved from the frame budget before they are kept (frame-budget.ts, request-reader.ts).
import {
  serviceCapabilities,
  type ComponentLogger,
  type Connection,
  type Logger as Libp2pLogger,
  type Startable,
  type Stream,
} from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'
import { NodeError } from '../protocol/errors.js'
import { KEPT_PROTOCOL_ID, PROTOCOL_ID, encodeResponse, errorResponse, type Response } from '../protocol/messages.js'
import { DEFAULT_FRAME_LIMITS, FrameBudget, type FrameLimits } from './frame-budget.js'
import { MAX_PROTOCOL_STREAMS } from '../p2p/libp2p-node.js'
import { PeerSlots } from './peer-slots.js'
import { encode as encodeLength } from 'uint8-varint'
import {
  nextRequest,
  readRequest,
  requestDeadlineMs,
  stopReading,
  StreamGone,
  type ReadDeadlines,
} from './request-reader.js'

export interface StreamLimits extends ReadDeadlines {
  /** streams of this protocol on one connection (libp2p's maxInboundStreams); more are reset by libp2p */
  perConnection: number
  /** streams whose request is being read: per peer, and in all */
  readingPerPeer: number
  reading: number
  /** requests being handled: per peer, and in all */
  handlingPerPeer: number
  handling: number
  /** how long a kept stream may wait for its next request before the node closes it */
  idleMs: number
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
  idleMs: 10_000,
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

/** The node-manager protocol as a libp2p service: it serves PROTOCOL_ID (or `init.protocol`) from libp2p's start to its stop. */
export interface NodeManagerProtocol extends Startable {
  start(): Promise<void>
  stop(): Promise<void>
  stats(): ProtocolStats
}

/** A request answered before it reached the handler (E_BUSY, E_TIMEOUT, E_SIZE…), for the node's log. */
export type RefusalHook = (peer: string, error: NodeError) => void

export interface NodeManagerProtocolInit {
  /** answers a request's bytes (signature, replay and authorization checks included) */
  handle: RequestHandler
  /** default DEFAULT_STREAM_LIMITS and DEFAULT_FRAME_LIMITS */
  limits?: { streams?: StreamLimits; frames?: FrameLimits }
  refused?: RefusalHook
  /** the protocol id served (default PROTOCOL_ID, the node manager's); a pool serves its own the same way */
  protocol?: string
  /** the id of the kept-stream variant (default KEPT_PROTOCOL_ID with the default `protocol`, else none) */
  keptProtocol?: string
}

export interface NodeManagerProtocolComponents {
  registrar: Registrar
  logger: ComponentLogger
}

/** For createLibp2p's `services`, as js-libp2p's own protocols are: `services: { nodeManager: nodeManagerProtocol({ handle }) }`. */
export function nodeManagerProtocol(
  init: NodeManagerProtocolInit,
): (components: NodeManagerProtocolComponents) => NodeManagerProtocol {
  return (components) => new NodeManagerProtocolService(components, init)
}

class NodeManagerProtocolService implements NodeManagerProtocol {
  readonly [Symbol.toStringTag] = '@flotilla/node-manager-protocol'
  readonly [serviceCapabilities] = ['@flotilla/node-manager-protocol']
  private readonly streams: StreamLimits
  private readonly reading: PeerSlots
  private readonly handling: PeerSlots
  private readonly budget: FrameBudget
  private readonly log: Libp2pLogger
  private readonly protocol: string
  private readonly keptProtocol: string | undefined
  /** kept streams waiting for their next request: closed when the service stops */
  private readonly waiting = new Set<Stream>()
  private stopped = false

  constructor(
    private readonly components: NodeManagerProtocolComponents,
    private readonly init: NodeManagerProtocolInit,
  ) {
    this.protocol = init.protocol ?? PROTOCOL_ID
    this.keptProtocol = init.keptProtocol ?? (init.protocol === undefined ? KEPT_PROTOCOL_ID : undefined)
    this.streams = init.limits?.streams ?? DEFAULT_STREAM_LIMITS
    this.reading = new PeerSlots(this.streams.readingPerPeer, this.streams.reading)
    this.handling = new PeerSlots(this.streams.handlingPerPeer, this.streams.handling)
    this.budget = new FrameBudget(init.limits?.frames ?? DEFAULT_FRAME_LIMITS)
    this.log = components.logger.forComponent('flotilla:node-manager-protocol')
  }

  async start(): Promise<void> {
    this.stopped = false
    const options = {
      maxInboundStreams: this.streams.perConnection,
      maxOutboundStreams: MAX_PROTOCOL_STREAMS,
      // a node behind NAT is asked through its relay: such connections are limited in bytes and time by the relay
      runOnLimitedConnection: true,
    }
    await this.components.registrar.handle(this.protocol, this.onStream, options)
    if (this.keptProtocol !== undefined) await this.components.registrar.handle(this.keptProtocol, this.onKept, options)
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const stream of this.waiting) stream.abort(new Error('the node stopped serving this protocol'))
    this.waiting.clear()
    await this.components.registrar.unhandle(this.protocol)
    if (this.keptProtocol !== undefined) await this.components.registrar.unhandle(this.keptProtocol)
  }

  stats(): ProtocolStats {
    return { reading: this.reading.used(), handling: this.handling.used(), frameBytes: this.budget.used() }
  }

  private readonly onStream = (stream: Stream, connection: Connection): Promise<void> =>
    this.serve(stream, connection.remotePeer.toString(), false)

  private readonly onKept = (stream: Stream, connection: Connection): Promise<void> =>
    this.serve(stream, connection.remotePeer.toString(), true)

  /** Answers the stream's request, or on a kept stream each request in turn until the peer closes or idles. */
  private async serve(stream: Stream, peer: string, keep: boolean): Promise<void> {
    for (let first = true; ; first = false) {
      if (!first) {
        this.waiting.add(stream)
        const more = await nextRequest(stream, this.streams.idleMs)
        this.waiting.delete(stream)
        if (!more) break
      }
      const releases: Array<() => void> = []
      let sent = false
      // only after a whole request was read is the stream where the next one starts
      const reading = { whole: false }
      try {
        const response = await this.answer(stream, peer, (r) => releases.push(r), keep, reading)
        if (response !== undefined) sent = await send(stream, response, this.streams, keep && reading.whole)
      } finally {
        for (const release of releases) release()
      }
      if (!sent) return
      if (!keep || !reading.whole || this.stopped) break
    }
    if (stream.writeStatus === 'writable') await stream.close().catch(() => undefined)
    await linger(stream, this.streams)
  }

  private refuse(peer: string, err: NodeError): Response<unknown> {
    this.log('refused a request of %s: %s %s', peer, err.code, err.message)
    this.init.refused?.(peer, err)
    return errorResponse(err)
  }

  private async answer(
    stream: Stream,
    peer: string,
    hold: (release: () => void) => void,
    keep: boolean,
    reading: { whole: boolean },
  ): Promise<Response<unknown> | undefined> {
    const { streams } = this
    const readSlot = this.reading.take(peer)
    if (typeof readSlot === 'string') {
      stopReading(stream)
      return this.refuse(
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
      bytes = await readRequest(stream, streams, (n) => hold(this.budget.reserve(peer, n)), keep)
      reading.whole = true
    } catch (err) {
      if (err instanceof NodeError) return this.refuse(peer, err)
      this.log('stream of %s ended before its request: %e', peer, err)
      stream.abort(err instanceof StreamGone ? err : new Error(String(err)))
      return undefined
    } finally {
      readSlot()
    }
    const handleSlot = this.handling.take(peer)
    if (typeof handleSlot === 'string') {
      return this.refuse(
        peer,
        busy(
          handleSlot === 'peer'
            ? `this peer already has ${streams.handlingPerPeer} requests being handled; wait for their answers`
            : `the node is handling ${streams.handling} requests; retry later`,
        ),
      )
    }
    try {
      return await this.init.handle(bytes, peer)
    } finally {
      handleSlot()
    }
  }
}

const busy = (message: string): NodeError => new NodeError('E_BUSY', message)

/** Sends the response and closes the writing end (unless `keepOpen`); a peer that does not take it in time is reset. */
async function send(
  stream: Stream,
  response: Response<unknown>,
  deadlines: ReadDeadlines,
  keepOpen = false,
): Promise<boolean> {
  const body = encodeResponse(response)
  // a deadline only for a peer that does not take the answer at once (most do: no timer then)
  let deadline: AbortSignal | undefined
  const signal = (): AbortSignal => (deadline ??= AbortSignal.timeout(requestDeadlineMs(body.length, deadlines)))
  try {
    // one send: each is a frame of its own on the connection (its own encryption and socket write)
    const length = encodeLength(body.length)
    const framed = new Uint8Array(length.length + body.length)
    framed.set(length)
    framed.set(body, length.length)
    if (!stream.send(framed)) await stream.onDrain({ signal: signal() })
    if (!keepOpen) await stream.close({ signal: signal() })
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
