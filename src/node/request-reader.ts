// Reading one length-prefixed request from a stream, with bounded memory and deadlines: the length prefix is read
// first and the body's bytes are reserved (which may refuse with E_BUSY) before more than one chunk is kept; a
// stream must send its first bytes within firstByteMs and its whole request within a time that grows with its size.
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import { NodeError } from '../protocol/errors.js'
import { MAX_MESSAGE_BYTES } from '../protocol/messages.js'
import { decode as decodeVarint, encodingLength } from 'uint8-varint'

export interface ReadDeadlines {
  /** time from opening the stream to the request's first bytes */
  firstByteMs: number
  /** time for a whole request: this, plus its announced size at minBytesPerSecond */
  requestBaseMs: number
  minBytesPerSecond: number
}

/** The peer went away (closed or reset) before it sent a whole request: nobody to answer. */
export class StreamGone extends Error {
  override name = 'StreamGone'
}

const MAX_PREFIX_BYTES = encodingLength(MAX_MESSAGE_BYTES)

/** The time a request of `bytes` may take to arrive. */
export function requestDeadlineMs(bytes: number, deadlines: ReadDeadlines): number {
  return deadlines.requestBaseMs + Math.ceil((bytes * 1000) / deadlines.minBytesPerSecond)
}

/**
 * Reads one request. `reserve(bytes)` is called once the length is known and before the body is kept; it throws
 * to refuse. Rejects with a NodeError to answer (E_SIZE, E_TIMEOUT, E_BUSY from reserve) or StreamGone.
 * Bytes after the request are dropped (its reading end is paused and closed), unless `keep`: then the stream is only
 * paused and those bytes (the start of the next request) are put back for the next read.
 */
export function readRequest(
  stream: Stream,
  deadlines: ReadDeadlines,
  reserve: (bytes: number) => void,
  keep = false,
): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    let prefix: number[] = []
    let length = -1
    const body: Uint8Array[] = []
    let received = 0
    let done = false
    let ended = stream.remoteWriteStatus !== 'writable'
    let rest: Uint8Array | undefined
    let timer = setTimeout(
      () =>
        finish(
          new NodeError('E_TIMEOUT', `no request arrived within ${deadlines.firstByteMs} ms of opening the stream`),
        ),
      deadlines.firstByteMs,
    )

    const finish = (outcome: Uint8Array | Error): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('remoteCloseWrite', onEnd)
      stream.removeEventListener('close', onClose)
      if (keep && !(outcome instanceof Error)) pauseReading(stream, rest)
      else stopReading(stream)
      if (outcome instanceof Error) reject(outcome)
      else resolve(outcome)
    }

    const startBody = (): void => {
      if (length > MAX_MESSAGE_BYTES)
        throw new NodeError('E_SIZE', `request is larger than the limit of ${MAX_MESSAGE_BYTES} bytes`)
      reserve(length)
      clearTimeout(timer)
      const ms = requestDeadlineMs(length, deadlines)
      timer = setTimeout(
        () =>
          finish(
            new NodeError(
              'E_TIMEOUT',
              `the ${length}-byte request did not arrive within ${ms} ms (${received} bytes came)`,
            ),
          ),
        ms,
      )
    }

    function onMessage(evt: StreamMessageEvent): void {
      try {
        let chunk = evt.data.subarray()
        while (length < 0 && chunk.length > 0) {
          prefix.push(chunk[0]!)
          chunk = chunk.subarray(1)
          if ((prefix.at(-1)! & 0x80) === 0) {
            length = decodeVarint(Uint8Array.from(prefix))
            startBody()
          } else if (prefix.length >= MAX_PREFIX_BYTES) {
            throw new NodeError('E_SIZE', `request is larger than the limit of ${MAX_MESSAGE_BYTES} bytes`)
          }
        }
        if (chunk.length > 0) {
          if (keep && received + chunk.length > length) {
            rest = chunk.subarray(length - received)
            chunk = chunk.subarray(0, length - received)
          }
          received += chunk.length
          if (received > length)
            throw new NodeError('E_USAGE', `malformed request: more bytes than its length prefix announced (${length})`)
          body.push(chunk)
        }
        if (length >= 0 && received === length) finish(body.length === 1 ? body[0]! : Buffer.concat(body, length))
        else if (ended) setImmediate(checkEnd)
      } catch (err) {
        prefix = []
        body.length = 0
        finish(err instanceof Error ? err : new Error(String(err), { cause: err }))
      }
    }

    // The end of the peer's writing can be signalled before the data that came with it is dispatched.
    function onEnd(): void {
      ended = true
      setImmediate(checkEnd)
    }

    function checkEnd(): void {
      if (done || stream.readBufferLength > 0) return
      finish(new StreamGone(`the peer closed the stream after ${received} of ${length < 0 ? '?' : length} bytes`))
    }

    function onClose(evt: StreamCloseEvent): void {
      if (evt.error !== undefined) finish(new StreamGone(`the stream failed: ${evt.error.message}`))
      else onEnd()
    }

    stream.addEventListener('message', onMessage)
    stream.addEventListener('remoteCloseWrite', onEnd)
    stream.addEventListener('close', onClose)
    // a kept stream is paused between requests: what came meanwhile is dispatched now
    if (stream.readStatus === 'paused') stream.resume()
    else if (ended) setImmediate(checkEnd)
  })
}

/**
 * Waits on a kept stream for the first bytes of its next request, holding no slot: true when they came (they stay
 * in the stream for readRequest), false when the peer closed its end or sent nothing for `idleMs`.
 */
export function nextRequest(stream: Stream, idleMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (stream.readStatus !== 'paused' && stream.readStatus !== 'readable') {
      resolve(false)
      return
    }
    const done = (more: boolean): void => {
      clearTimeout(timer)
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('remoteCloseWrite', onEnd)
      stream.removeEventListener('close', onEnd)
      resolve(more)
    }
    const onMessage = (evt: StreamMessageEvent): void => {
      done(true)
      pauseReading(stream, evt.data.subarray())
    }
    const onEnd = (): void => {
      if (stream.readBufferLength === 0) done(false)
    }
    const timer = setTimeout(() => done(false), idleMs)
    stream.addEventListener('message', onMessage)
    stream.addEventListener('remoteCloseWrite', onEnd)
    stream.addEventListener('close', onEnd)
    if (stream.readStatus === 'paused') stream.resume()
    if (stream.remoteWriteStatus !== 'writable') onEnd()
  })
}

/** Pauses a kept stream (no more window for the peer while its request is handled) and puts `rest` back first. */
function pauseReading(stream: Stream, rest: Uint8Array | undefined): void {
  if (stream.readStatus === 'readable') stream.pause()
  if (rest !== undefined && rest.length > 0 && stream.readStatus === 'paused') stream.unshift(rest)
}

/**
 * Reads nothing more from the stream: pausing stops the window updates so that a peer cannot keep pushing bytes that
 * would only be decrypted and dropped; closing the reading end drops what is already under way.
 */
export function stopReading(stream: Stream): void {
  if (stream.readStatus === 'readable') stream.pause()
  if (stream.readStatus === 'paused') stream.closeRead().catch(() => undefined)
}
