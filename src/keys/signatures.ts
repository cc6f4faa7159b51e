// Ed25519 sign/verify through libsodium (sodium-native), with each key's bytes kept ready. OpenSSL's Ed25519, which
// node:crypto has, took 91 µs a verify and 32 µs a signature on this project's 2-core test machine, libsodium 42 and
// 15 µs (its field arithmetic uses 64-bit limbs; BENCH=keys runs both); a node verifies each signed request and a
// client signs it, one after the other on a request's way. libsodium also refuses what OpenSSL lets through: a key
// or signature point of small order (with such a key any message has a valid signature) and a key not in its
// canonical encoding.
import sodium from 'sodium-native'
import type { Ed25519PrivateKey, Ed25519PublicKey } from '@libp2p/interface'
import { parsePublicKeyText, publicKeyText } from './key-text.js'

/** How many verify keys stay decoded; a node sees few distinct keys at a time. */
export const VERIFY_CACHE_SIZE = 1024

const SIGNATURE_BYTES = 64
const signKeys = new WeakMap<Ed25519PrivateKey, Uint8Array>()
const verifyKeys = new Map<string, Uint8Array>()

/** libsodium's secret key (seed || public key), made from the key's seed. */
function signingKey(priv: Ed25519PrivateKey): Uint8Array {
  let key = signKeys.get(priv)
  if (key === undefined) {
    key = new Uint8Array(64)
    sodium.crypto_sign_seed_keypair(new Uint8Array(32), key, priv.raw.subarray(0, 32))
    signKeys.set(priv, key)
  }
  return key
}

function verifyingKey(text: string, parsed?: Ed25519PublicKey): Uint8Array {
  let key = verifyKeys.get(text)
  if (key !== undefined) {
    verifyKeys.delete(text) // re-insert: Map order is our LRU order
    verifyKeys.set(text, key)
    return key
  }
  key = (parsed ?? parsePublicKeyText(text)).raw
  verifyKeys.set(text, key)
  if (verifyKeys.size > VERIFY_CACHE_SIZE) verifyKeys.delete(verifyKeys.keys().next().value as string)
  return key
}

export function sign(priv: Ed25519PrivateKey, bytes: Uint8Array): Uint8Array {
  const signature = new Uint8Array(SIGNATURE_BYTES)
  sodium.crypto_sign_detached(signature, bytes, signingKey(priv))
  return signature
}

/**
 * True when `sig` is a valid signature of `bytes` by `pub` (a key or its canonical text).
 * Malformed key text throws KeyFileError; a malformed signature is simply not valid.
 */
export function verify(pub: string | Ed25519PublicKey, bytes: Uint8Array, sig: Uint8Array): boolean {
  const key = typeof pub === 'string' ? verifyingKey(pub) : verifyingKey(publicKeyText(pub), pub)
  if (sig.length !== SIGNATURE_BYTES) return false
  return sodium.crypto_sign_verify_detached(sig, bytes, key)
}
