// The canonical text of an Ed25519 key: one line `ed25519-pub <base64 of the raw 32 bytes>` (or `ed25519-priv` and
// 64 bytes). The public line is also the text of a key in requests and in owner/user lists. Both key-files.ts and
// signatures.ts build on this; it imports neither.
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js'
import type { Ed25519PublicKey } from '@libp2p/interface'
import { KeyFileError } from './key-file-error.js'

export const PUBLIC_KEY_PREFIX = 'ed25519-pub'
export const PRIVATE_KEY_PREFIX = 'ed25519-priv'
/** Longest valid public key text (prefix, space, 44 base64 characters). */
export const PUBLIC_KEY_TEXT_LENGTH = PUBLIC_KEY_PREFIX.length + 1 + 44

export { KeyFileError }

export function publicKeyText(key: Ed25519PublicKey): string {
  return `${PUBLIC_KEY_PREFIX} ${Buffer.from(key.raw).toString('base64')}`
}

/** A short, stable name of a public key for logs and tables: the first 10 characters of its base64 (60 bits, as
 *  `node status` shows an owner key). */
export function keyFingerprint(text: string): string {
  const body = text.startsWith(`${PUBLIC_KEY_PREFIX} `) ? text.slice(PUBLIC_KEY_PREFIX.length + 1) : text
  return body.slice(0, 10)
}

/** Parses the canonical text of a public key and checks that it is a point of the curve (0.15 ms: the point is
 *  decompressed), for keys read from files and the command line; `source` names where the text came from in errors. */
export function parsePublicKeyText(text: string, source = 'public key'): Ed25519PublicKey {
  const key = decodePublicKeyText(text, source)
  if (!onCurve(key.raw)) throw new KeyFileError(source, UNUSABLE)
  return key
}

/**
 * The key in the canonical text of a public key, refused if it is one of small order (about a µs): for the keys of
 * requests and their arguments, which anyone who signs a request can send, before the node knows who they are. A key
 * that is no point of the curve passes here; no signature by it is ever valid (libsodium and OpenSSL refuse it).
 */
export function decodePublicKeyText(text: string, source = 'public key'): Ed25519PublicKey {
  const raw = decodeKeyLine(text, PUBLIC_KEY_PREFIX, 32, source)
  const key = publicKeyFromRaw(raw)
  if (key.type !== 'Ed25519') throw new KeyFileError(source, 'not an Ed25519 public key')
  if (hasSmallOrder(raw)) throw new KeyFileError(source, UNUSABLE)
  return key
}

const UNUSABLE =
  'not a usable Ed25519 public key (not a point of the curve, or one of small order, for which anyone can make a valid signature)'

/** The encodings of the curve's eight points of small order with the sign bit (the last byte's top bit) cleared: the
 *  torsion subgroup's, and y = p and y = p + 1, which decode as y = 0 and 1 where the encoding is not checked to be
 *  canonical. libsodium refuses keys the same way, by this list. */
const SMALL_ORDER = new Set([
  ...ED25519_TORSION_SUBGROUP.map((hex) => withoutSign(Buffer.from(hex, 'hex'))),
  withoutSign(Buffer.from(`ed${'ff'.repeat(30)}7f`, 'hex')),
  withoutSign(Buffer.from(`ee${'ff'.repeat(30)}7f`, 'hex')),
])

function withoutSign(raw: Uint8Array): string {
  const bytes = Buffer.from(raw)
  bytes[31]! &= 0x7f
  return bytes.toString('hex')
}

/** True for 32 bytes that encode one of the curve's points of small order (with either sign). */
export function hasSmallOrder(raw: Uint8Array): boolean {
  return raw.length === 32 && SMALL_ORDER.has(withoutSign(raw))
}

/** False for 32 bytes that encode no point of the curve. @noble/curves is loaded anyway with @libp2p/crypto's keys. */
function onCurve(raw: Uint8Array): boolean {
  try {
    ed25519.Point.fromBytes(raw)
    return true
  } catch {
    return false
  }
}

/** The raw bytes of a `<prefix> <base64>` line of exactly `size` bytes (KeyFileError naming `source` otherwise). */
export function decodeKeyLine(text: string, prefix: string, size: number, source: string): Uint8Array {
  const parts = text.trim().split(' ')
  if (parts.length !== 2 || parts[0] !== prefix) {
    throw new KeyFileError(source, `expected one line "${prefix} <base64>"`)
  }
  const b64 = parts[1]!
  const raw = Buffer.from(b64, 'base64')
  // Buffer.from ignores bad characters, so insist on the exact canonical encoding.
  if (raw.toString('base64') !== b64) throw new KeyFileError(source, 'key is not valid base64')
  if (raw.length !== size) throw new KeyFileError(source, `key must be ${size} bytes, got ${raw.length}`)
  return new Uint8Array(raw)
}
