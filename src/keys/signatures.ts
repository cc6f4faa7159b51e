// Ed25519 sign/verify for requests and keys, with each key's ready form kept: libsodium where its addon loads,
// else node:crypto's OpenSSL (ed25519-sodium.ts, ed25519-openssl.ts). Both refuse a public key of small order.
import type { Ed25519PrivateKey, Ed25519PublicKey } from '@libp2p/interface'
import { opensslEd25519 } from './ed25519-openssl.js'
import { sodiumEd25519 } from './ed25519-sodium.js'
import { decodePublicKeyText, publicKeyText } from './key-text.js'
import type { Ed25519Backend } from './ed25519-backend.js'

/** How many verify keys stay decoded; a node sees few distinct keys at a time. */
export const VERIFY_CACHE_SIZE = 1024

const SIGNATURE_BYTES = 64

/** The backend in use: libsodium, unless its addon has no build for this platform. */
export const ed25519: Ed25519Backend<unknown, unknown> = sodiumEd25519 ?? opensslEd25519

const signKeys = new WeakMap<Ed25519PrivateKey, unknown>()
const verifyKeys = new Map<string, unknown>()

function signingKey(priv: Ed25519PrivateKey): unknown {
  let key = signKeys.get(priv)
  if (key === undefined) {
    key = ed25519.signingKey(priv.raw.subarray(0, 32))
    signKeys.set(priv, key)
  }
  return key
}

/** The key's ready form, or null for a key no signature may be valid for. */
function verifyingKey(text: string, parsed?: Ed25519PublicKey): unknown {
  let key = verifyKeys.get(text)
  if (key !== undefined) {
    verifyKeys.delete(text) // re-insert: Map order is our LRU order
    verifyKeys.set(text, key)
    return key
  }
  key = ed25519.verifyingKey((parsed ?? decodePublicKeyText(text)).raw)
  verifyKeys.set(text, key)
  if (verifyKeys.size > VERIFY_CACHE_SIZE) verifyKeys.delete(verifyKeys.keys().next().value as string)
  return key
}

export function sign(priv: Ed25519PrivateKey, bytes: Uint8Array): Uint8Array {
  return ed25519.sign(signingKey(priv), bytes)
}

/**
 * True when `sig` is a valid signature of `bytes` by `pub` (a key or its canonical text).
 * Malformed key text throws KeyFileError; a malformed signature is simply not valid.
 */
export function verify(pub: string | Ed25519PublicKey, bytes: Uint8Array, sig: Uint8Array): boolean {
  const key = typeof pub === 'string' ? verifyingKey(pub) : verifyingKey(publicKeyText(pub), pub)
  if (key === null || sig.length !== SIGNATURE_BYTES) return false
  return ed25519.verify(key, bytes, sig)
}
