// Wire messages of the node-manager protocol: one CBOR request and one CBOR response per libp2p stream.
import { Encoder } from 'cbor-x'
import { NodeError, isErrorCode, type ErrorCode } from './errors.js'
import { validateRequestShape } from './validate.js'

export const PROTOCOL_ID = '/flotilla/nm/1.0.0'
/** Largest request or response on the wire, file data included. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024
/** Largest file in AddFileToVessel / RetrieveFileFromVessel: a message minus room for the other fields. */
export const MAX_FILE_BYTES = MAX_MESSAGE_BYTES - 64 * 1024
export const NONCE_BYTES = 16
export const SIGNATURE_BYTES = 64
/** Prefix of the signed encoding, so a request signature can never be taken for any other signed thing. */
export const SIGNING_CONTEXT = 'flotilla/nm/1 request'

/** A value that may appear in a call's argument list. */
export type ArgValue = string | number | boolean | Uint8Array | ArgValue[]

/** A value the node may answer with. */
export type CborValue = null | string | number | boolean | Uint8Array | CborValue[] | { [key: string]: CborValue }

/** Everything a signature covers. */
export interface RequestFields {
  call: string
  args: ArgValue[]
  /** peer id of the node the request is meant for */
  destination: string
  /** ms since the epoch, when it was signed */
  timestamp: number
  /** ms since the epoch; the node refuses the request from then on */
  expiry: number
  /** NONCE_BYTES random bytes; the node refuses a (key, nonce) it has seen before its expiry */
  nonce: Uint8Array
  /** canonical text of the signer's public key */
  key: string
}

export interface SignedRequest extends RequestFields {
  signature: Uint8Array
}

/** Public calls may come without any signature fields. */
export interface UnsignedRequest {
  call: string
  args: ArgValue[]
}

export type Request = SignedRequest | UnsignedRequest

export const isSigned = (request: Request): request is SignedRequest => 'signature' in request

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
    throw new NodeError('E_USAGE', `malformed ${what}: not valid CBOR (${detail})`)
  }
}

/** The bytes a request signature is made over: a fixed-order CBOR array of the fields. */
export function signingBytes(fields: RequestFields): Uint8Array {
  return cbor.encode([
    SIGNING_CONTEXT, fields.call, fields.args, fields.destination, fields.timestamp, fields.expiry, fields.nonce, fields.key,
  ])
}

export function encodeRequest(request: Request): Uint8Array {
  const body = isSigned(request)
    ? {
        call: request.call, args: request.args, destination: request.destination, timestamp: request.timestamp,
        expiry: request.expiry, nonce: request.nonce, key: request.key, signature: request.signature,
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
    return cbor.encode(errorResponse(new NodeError('E_SIZE', `response would be ${bytes.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`)))
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
