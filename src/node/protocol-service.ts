// Serves /flotilla/nm/1.0.0 on a libp2p node: one length-prefixed request and one response per stream.
import type { Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { NodeError } from '../protocol/errors.js'
import { MAX_MESSAGE_BYTES, PROTOCOL_ID, encodeResponse, errorResponse, type Response } from '../protocol/messages.js'
import { MAX_PROTOCOL_STREAMS } from './libp2p-node.js'

/** Requests handled at once; more are answered E_BUSY. */
export const MAX_LIVE_REQUESTS = 512
/** How long a peer may take to send its request once it opened the stream. */
export const REQUEST_READ_TIMEOUT_MS = 30_000
/** Room for the length prefix and for bytes that arrive before they are read. */
export const LP_OPTIONS = { maxDataLength: MAX_MESSAGE_BYTES, maxBufferSize: MAX_MESSAGE_BYTES + (1 << 20) }

export type RequestHandler = (bytes: Uint8Array, remotePeer: string) => Promise<Response<unknown>>

export async function serveProtocol(node: Libp2p, handle: RequestHandler): Promise<void> {
  let live = 0
  await node.handle(PROTOCOL_ID, async (stream, connection) => {
    live++
    try {
      await serveStream(stream, live > MAX_LIVE_REQUESTS ? busy : (bytes) => handle(bytes, connection.remotePeer.toString()))
    } finally {
      live--
    }
  }, { maxInboundStreams: MAX_PROTOCOL_STREAMS, maxOutboundStreams: MAX_PROTOCOL_STREAMS })
}

const busy = async (): Promise<Response<unknown>> =>
  errorResponse(new NodeError('E_BUSY', `the node is handling ${MAX_LIVE_REQUESTS} requests; retry later`))

async function serveStream(stream: Stream, handle: (bytes: Uint8Array) => Promise<Response<unknown>>): Promise<void> {
  const lp = lpStream(stream, LP_OPTIONS)
  let response: Response<unknown>
  try {
    const message = await lp.read({ signal: AbortSignal.timeout(REQUEST_READ_TIMEOUT_MS) })
    response = await handle(message.subarray())
  } catch (err) {
    const name = (err as Error)?.name
    if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError' || name === 'StreamBufferError') {
      response = errorResponse(new NodeError('E_SIZE', `request is larger than the limit of ${MAX_MESSAGE_BYTES} bytes`))
    } else if (name === 'InvalidMessageLengthError') {
      response = errorResponse(new NodeError('E_USAGE', 'malformed request: bad length prefix'))
    } else {
      // the peer went away or never sent a whole request: nobody to answer
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      return
    }
  }
  try {
    await lp.write(encodeResponse(response))
    await stream.close()
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  }
}
