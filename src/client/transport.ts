// One client libp2p node per process, shared by every NodeClient: the shell fans out to many nodes through it.
// A request to a node manager goes on a kept stream (/flotilla/nm/1.1.0, kept-streams.ts) when the node speaks it,
// else on a stream of its own (/flotilla/nm/1.0.0, as a pool's protocol too): write the request, read the response.
import '../p2p/promise-shim.js'
import type { Libp2p, Stream } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { NodeError } from '../protocol/errors.js'
import { KEPT_PROTOCOL_ID, PROTOCOL_ID, decodeResponse, type Response } from '../protocol/messages.js'
import { peerIdOf } from '../p2p/addresses.js'
import { LP_OPTIONS } from '../p2p/framing.js'
import { createNodeLibp2p, MAX_PROTOCOL_STREAMS } from '../p2p/libp2p-node.js'
import { KeptStreams, type KeptStream } from './kept-streams.js'

export const DEFAULT_TIMEOUT_MS = 15_000

/** Parses a multiaddr given by a user: E_USAGE if it is not one. */
export function parseAddress(address: string | Multiaddr): Multiaddr {
  if (typeof address !== 'string') return address
  let parsed: Multiaddr
  try {
    parsed = multiaddr(address)
  } catch (err) {
    throw new NodeError(
      'E_USAGE',
      `'${address}' is not a multiaddr (like /ip4/127.0.0.1/tcp/1224/p2p/12D3KooW...): ${(err as Error).message}`,
      { cause: err },
    )
  }
  const peer = peerIdOf(parsed)
  if (peer !== undefined) {
    try {
      peerIdFromString(peer)
    } catch (err) {
      throw new NodeError(
        'E_USAGE',
        `'${address}': '${peer}' is not a peer id (one looks like 12D3KooW… as the node prints it)`,
        { cause: err },
      )
    }
  }
  return parsed
}

function transportError(err: unknown, what: string, expired: boolean): NodeError {
  if (err instanceof NodeError) return err
  if (expired) return new NodeError('E_TIMEOUT', `${what}: no answer in time`, { cause: err })
  const message = err instanceof Error ? err.message : String(err)
  return new NodeError('E_UNREACHABLE', `${what}: ${message}`, { cause: err })
}

/**
 * A request's deadline. A request on a kept stream needs no AbortSignal: when the time is up the stream it waits on is
 * aborted, which ends its read and write. An AbortSignal.timeout per request cost the client 6-11 µs of cpu (its
 * weakly held timer and its listeners), a tenth of all it did for a request; a timer costs half a µs. The signal is
 * made only for what takes one (opening a stream, a stream of the one-request protocol).
 */
class Deadline {
  expired = false
  private controller: AbortController | undefined
  private watched: Stream | undefined
  private readonly timer: NodeJS.Timeout

  constructor(ms: number) {
    this.timer = setTimeout(() => this.expire(), ms)
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController()
    if (this.expired) this.controller.abort(timeUp())
    return this.controller.signal
  }

  /** Aborts `stream` (or none) when the time is up. */
  watch(stream: Stream | undefined): void {
    this.watched = stream
  }

  clear(): void {
    clearTimeout(this.timer)
  }

  private expire(): void {
    this.expired = true
    this.controller?.abort(timeUp())
    this.watched?.abort(timeUp())
  }
}

const timeUp = (): Error => new Error('no answer in time')

/** A reused stream failed before any answer came: the node never had the request, or refuses its copy as a replay. */
class StaleStream extends Error {
  override name = 'StaleStream'
}

export class ClientTransport {
  private closed = false
  private readonly kept = new KeptStreams()

  private constructor(readonly node: Libp2p) {}

  static async create(): Promise<ClientTransport> {
    return new ClientTransport(await createNodeLibp2p())
  }

  /** Dials the node and answers its peer id (E_UNREACHABLE, E_TIMEOUT). */
  async connect(address: Multiaddr, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const signal = AbortSignal.timeout(timeoutMs)
    try {
      const connection = await this.node.dial(address, { signal })
      return connection.remotePeer.toString()
    } catch (err) {
      throw transportError(err, `cannot reach ${address.toString()}`, signal.aborted)
    }
  }

  /** Sends one encoded request and answers the decoded response. Transport problems throw E_UNREACHABLE/E_TIMEOUT.
   *  `protocol` is the node manager's by default; a pool speaks the same framing on its own protocol id. */
  async exchange(
    address: Multiaddr,
    request: Uint8Array,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    protocol = PROTOCOL_ID,
  ): Promise<Response> {
    if (this.closed) throw new NodeError('E_UNREACHABLE', 'the client transport is closed')
    const deadline = new Deadline(timeoutMs)
    // (one async function: a request's every await is a hop through the microtask queue)
    try {
      const where = address.toString()
      const keep = protocol === PROTOCOL_ID
      const reused = keep ? this.kept.take(where) : undefined
      let retried = false
      if (reused !== undefined) {
        try {
          return await this.onKept(where, reused, request, deadline, true)
        } catch (err) {
          // Sending the same signed bytes again is safe: a node that did take them refuses the copy as a replay.
          if (!(err instanceof StaleStream) || deadline.expired)
            throw transportError(err, `request to ${where} failed`, deadline.expired)
          this.kept.drop(where)
          retried = true
        }
      }
      const stream = await this.open(address, keep ? [KEPT_PROTOCOL_ID, protocol] : [protocol], deadline.signal)
      if (stream.protocol === KEPT_PROTOCOL_ID) {
        const response = await this.onKept(where, KeptStreams.wrap(stream), request, deadline, false)
        if (retried && !response.ok && response.code === 'E_REPLAY') {
          throw new NodeError(
            'E_UNREACHABLE',
            `request to ${where}: the stream failed after the node received the request, which may have taken effect (the node refused the same request sent again)`,
          )
        }
        return response
      }
      try {
        const lp = lpStream(stream, LP_OPTIONS)
        const { answer, written } = await ask(lp, request, deadline.signal)
        if (written) await stream.close().catch(() => undefined)
        else stream.abort(new Error('the node answered before it read the whole request'))
        return decodeResponse(answer)
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        throw transportError(err, `request to ${where} failed`, deadline.expired)
      }
    } finally {
      deadline.clear()
    }
  }

  private async open(address: Multiaddr, protocols: string[], signal: AbortSignal): Promise<Stream> {
    const open = (force: boolean) =>
      this.node.dialProtocol(address, protocols, {
        signal,
        force,
        maxOutboundStreams: MAX_PROTOCOL_STREAMS,
        // a node behind NAT is reached through a relay, whose connections are limited in bytes and time
        runOnLimitedConnection: true,
      })
    try {
      // A stream that failed to open carried no request yet, so one more try (while time is left) is safe. It rides
      // out a stream refused during its protocol negotiation by a node too busy to finish it (seen with both cores
      // taken by other work), and a connection that is closing but still listed (its muxer closed): the second try
      // dials a new connection.
      return await open(false).catch((err: unknown) => {
        if (signal.aborted) throw err
        return open(true)
      })
    } catch (err) {
      throw transportError(err, `cannot reach ${address.toString()}`, signal.aborted)
    }
  }

  /** One request on a kept stream, which goes back to the idle ones once answered. */
  private async onKept(
    where: string,
    kept: KeptStream,
    request: Uint8Array,
    deadline: Deadline,
    reused: boolean,
  ): Promise<Response> {
    let answer: Uint8Array
    // the time running out aborts the stream, which ends the read and the write below
    deadline.watch(kept.stream)
    try {
      const asked = await ask(kept.lp, request)
      deadline.watch(undefined)
      answer = asked.answer
      if (asked.written) this.kept.give(where, kept)
      else kept.stream.abort(new Error('the node answered before it read the whole request'))
    } catch (err) {
      deadline.watch(undefined)
      kept.stream.abort(err instanceof Error ? err : new Error(String(err)))
      if (reused && !deadline.expired) throw new StaleStream('the kept stream failed before an answer', { cause: err })
      throw transportError(err, `request to ${where} failed`, deadline.expired)
    }
    return decodeResponse(answer)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.kept.clear()
    await this.node.stop()
  }
}

/** Writes the request and reads one answer. The node may answer (E_SIZE, E_BUSY) before it has read the whole
 *  request, and then stops reading it: `written` says whether the request went out whole. */
async function ask(
  lp: ReturnType<typeof lpStream>,
  request: Uint8Array,
  signal?: AbortSignal,
): Promise<{ answer: Uint8Array; written: boolean }> {
  const options = signal === undefined ? undefined : { signal }
  const reading = lp.read(options)
  const writing = lp.write(request, options)
  let written = false
  writing.then(
    () => {
      written = true
    },
    () => undefined,
  )
  reading.catch(() => undefined)
  await Promise.race([writing, reading])
  const answer = await reading
  return { answer: answer.subarray(), written }
}
