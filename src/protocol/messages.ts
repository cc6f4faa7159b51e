// Wire messages of the node-manager protocol: one CBOR request and one CBOR response per libp2p stream.
import { Encoder } from 'cbor-x'
import { NodeError, isErrorCode, type ErrorCode } from './errors.js'
import { validateRequestShape } from './request-shape.js'
import {
  MAX_MESSAGE_BYTES,
  SIGNING_CONTEXT,
  isSigned,
  type CborValue,
  type Request,
  type RequestFields,
} from './wire.js'

export {
  MAX_FILE_BYTES,
  MAX_MESSAGE_BYTES,
  KEPT_PROTOCOL_ID,
  NONCE_BYTES,
  PROTOCOL_ID,
  isSigned,
  type ArgValue,
  type CborValue,
  type Request,
  type RequestFields,
  type SignedRequest,
} from './wire.js'

export type Response<T = CborValue> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string }

// Plain CBOR: no record/structure extensions, byte strings untagged, objects as plain maps.
const cbor = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  variableMapSize: true,
  copyBuffers: true,
})

export function encodeCbor(value: unknown): Uint8Array {
  return cbor.encode(value)
}

function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new NodeError('E_SIZE', `${what} is ${bytes.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`)
  }
  if (bytes.length === 0) throw new NodeError('E_USAGE', `malformed ${what}: empty message`)
  try {
    return cbor.decode(bytes)
  } catch (err) {
    const detail = (err as { incomplete?: boolean }).incomplete ? 'truncated' : (err as Error).message
    throw new NodeError('E_USAGE', `malformed ${what}: not valid CBOR (${detail})`, { cause: err })
  }
}

/** The bytes a request signature is made over: a fixed-order CBOR array of the fields. */
export function signingBytes(fields: RequestFields): Uint8Array {
  return cbor.encode([
    SIGNING_CONTEXT,
    fields.call,
    fields.args,
    fields.destination,
    fields.timestamp,
    fields.expiry,
    fields.nonce,
    fields.key,
  ])
}

export function encodeRequest(request: Request): Uint8Array {
  const body = isSigned(request)
    ? {
        call: request.call,
        args: request.args,
        destination: request.destination,
        timestamp: request.timestamp,
        expiry: request.expiry,
        nonce: request.nonce,
        key: request.key,
        signature: request.signature,
      }
    : { call: request.call, args: request.args }
  const bytes = cbor.encode(body)
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new NodeError('E_SIZE', `request is ${bytes.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`)
  }
  return bytes
}

/** Decodes and shape-checks a request (E_SIZE, E_USAGE); it checks neither signature nor arguments. */
export function decodeRequest(bytes: Uint8Array): Request {
  return validateRequestShape(decodeCbor(bytes, 'request'))
}

export function encodeResponse(response: Response<unknown>): Uint8Array {
  const bytes = cbor.encode(response)
  if (bytes.length > MAX_MESSAGE_BYTES) {
    return cbor.encode(
      errorResponse(
        new NodeError('E_SIZE', `response would be ${bytes.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`),
      ),
    )
  }
  return bytes
}

export function decodeResponse(bytes: Uint8Array): Response {
  const value = decodeCbor(bytes, 'response')
  if (typeof value !== 'object' || value === null || typeof (value as { ok?: unknown }).ok !== 'boolean') {
    throw new NodeError('E_USAGE', 'malformed response: expected a map with a boolean "ok"')
  }
  const r = value as { ok: boolean; value?: CborValue; code?: unknown; message?: unknown }
  if (r.ok) return { ok: true, value: r.value ?? null }
  return {
    ok: false,
    code: isErrorCode(r.code) ? r.code : 'E_INTERNAL',
    message: typeof r.message === 'string' ? r.message : 'no message',
  }
}

/** The response for a failure: NodeErrors keep their code; anything else is an internal error without details. */
export function errorResponse(err: unknown): Response<never> {
  if (err instanceof NodeError) return { ok: false, code: err.code, message: err.message }
  return { ok: false, code: 'E_INTERNAL', message: 'internal error' }
}
