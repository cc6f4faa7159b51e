// The shape of a decoded request: field types and sizes, no unknown fields. Signature and arguments are checked
// later (signing.ts, validate.ts).
import { PUBLIC_KEY_TEXT_LENGTH } from '../keys/key-text.js'
import { NodeError } from './errors.js'
import {
  NONCE_BYTES,
  SIGNATURE_BYTES,
  type ArgValue,
  type Request,
  type SignedRequest,
  type UnsignedRequest,
} from './wire.js'

const SIGNED_FIELDS = ['call', 'args', 'destination', 'timestamp', 'expiry', 'nonce', 'key', 'signature'] as const
const MAX_ARGS = 16
const MAX_CALL_LENGTH = 64
const MAX_DESTINATION_LENGTH = 128

function isArgValue(value: unknown, depth: number): value is ArgValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value)
    default:
      if (value instanceof Uint8Array) return true
      return depth < 2 && Array.isArray(value) && value.every((v) => isArgValue(v, depth + 1))
  }
}

/** Decoded byte strings are Buffers; hand out plain Uint8Array views of them. */
function plainBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function plainArg(value: ArgValue): ArgValue {
  if (value instanceof Uint8Array) return plainBytes(value)
  return Array.isArray(value) ? value.map(plainArg) : value
}

function usage(message: string): never {
  throw new NodeError('E_USAGE', `malformed request: ${message}`)
}

/** Checks the fields of a decoded request (types, sizes, no unknown fields). Signature and arguments are checked later. */
export function validateRequestShape(value: unknown): Request {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    usage('expected a map of request fields')
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) usage('expected a map of request fields')
  const fields = value as Record<string, unknown>
  for (const name of Object.keys(fields)) {
    if (!(SIGNED_FIELDS as readonly string[]).includes(name)) usage(`unknown field '${name.slice(0, 40)}'`)
  }
  const { call, args: rawArgs } = fields
  if (typeof call !== 'string' || call.length === 0 || call.length > MAX_CALL_LENGTH) {
    usage(`field 'call' must be a call name (a string of 1..${MAX_CALL_LENGTH} characters)`)
  }
  if (!Array.isArray(rawArgs) || rawArgs.length > MAX_ARGS)
    usage(`field 'args' must be a list of at most ${MAX_ARGS} values`)
  const args = rawArgs.map((a: unknown, i) => {
    if (!isArgValue(a, 0))
      usage(`argument ${i + 1} of ${call} is not a string, number, boolean, bytes or list of those`)
    return plainArg(a)
  })
  if (!('signature' in fields)) {
    const extra = SIGNED_FIELDS.find((f) => f !== 'call' && f !== 'args' && f in fields)
    if (extra !== undefined)
      usage(`field '${extra}' given but no 'signature' (an unsigned request has only 'call' and 'args')`)
    return { call, args } satisfies UnsignedRequest
  }
  for (const name of SIGNED_FIELDS) if (!(name in fields)) usage(`signed request lacks field '${name}'`)
  const { destination, timestamp, expiry, nonce, key, signature } = fields
  if (typeof destination !== 'string' || destination.length === 0 || destination.length > MAX_DESTINATION_LENGTH) {
    usage(`field 'destination' must be a node peer id`)
  }
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    usage(`field 'timestamp' must be a whole number of ms since the epoch`)
  }
  if (typeof expiry !== 'number' || !Number.isSafeInteger(expiry) || expiry < 0) {
    usage(`field 'expiry' must be a whole number of ms since the epoch`)
  }
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_BYTES)
    usage(`field 'nonce' must be ${NONCE_BYTES} bytes`)
  if (typeof key !== 'string' || key.length > PUBLIC_KEY_TEXT_LENGTH) usage(`field 'key' must be a public key text`)
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) {
    usage(`field 'signature' must be ${SIGNATURE_BYTES} bytes`)
  }
  return {
    call,
    args,
    destination,
    timestamp,
    expiry,
    nonce: plainBytes(nonce),
    key,
    signature: plainBytes(signature),
  } satisfies SignedRequest
}
