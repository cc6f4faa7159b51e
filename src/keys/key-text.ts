// The canonical text of an Ed25519 key: one line `ed25519-pub <base64 of the raw 32 bytes>` (or `ed25519-priv` and
// 64 bytes). The public line is also the text of a key in requests and in owner/user lists. Both key-files.ts and
// signatures.ts build on this; it imports neither.
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { ed25519 } from '@noble/curves/ed25519.js'
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

/** Parses the canonical text of a public key; `source` names where the text came from in errors. */
export function parsePublicKeyText(text: string, source = 'public key'): Ed25519PublicKey {
  const raw = decodeKeyLine(text, PUBLIC_KEY_PREFIX, 32, source)
  const key = publicKeyFromRaw(raw)
  if (key.type !== 'Ed25519') throw new KeyFileError(source, 'not an Ed25519 public key')
  if (!onCurveOfLargeOrder(raw)) throw new KeyFileError(source, SMALL_ORDER)
  return key
}

const SMALL_ORDER =
  'not a usable Ed25519 public key (not a point of the curve, or one of small order, for which anyone can make a valid signature)'

/** False for 32 bytes that encode no point of the curve or one of its eight points of small order. @noble/curves is
 *  loaded anyway with @libp2p/crypto's keys; a check takes about 0.15 ms, and the node keeps keys parsed
 *  (signatures.ts). */
export function onCurveOfLargeOrder(raw: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(raw).isSmallOrder()
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
