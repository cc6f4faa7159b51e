// The protocol's constants and the shape of a request, apart from their encoding (messages.ts) and their checks
// (request-shape.ts, validate.ts), which all build on them.

/** One request and one response per stream. */
export const PROTOCOL_ID = '/flotilla/nm/1.0.0'
/** The same messages, several requests one after another on a kept stream (protocol-service.ts). */
export const KEPT_PROTOCOL_ID = '/flotilla/nm/1.1.0'
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
