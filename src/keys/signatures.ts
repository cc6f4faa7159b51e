// Ed25519 sign/verify through node:crypto with cached KeyObjects: @libp2p/crypto re-imports the key
// on every call, which halves signing speed (BENCH=keys shows this path's rates).
import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto'
import type { Ed25519PrivateKey, Ed25519PublicKey } from '@libp2p/interface'
import { parsePublicKeyText, publicKeyText } from './key-text.js'

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** How many verify keys stay imported; a node sees few distinct keys at a time. */
export const VERIFY_CACHE_SIZE = 1024

const signKeys = new WeakMap<Ed25519PrivateKey, KeyObject>()
const verifyKeys = new Map<string, KeyObject>()

function signingKey(priv: Ed25519PrivateKey): KeyObject {
  let key = signKeys.get(priv)
  if (key === undefined) {
    const der = Buffer.concat([PKCS8_PREFIX, priv.raw.subarray(0, 32)])
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    signKeys.set(priv, key)
  }
  return key
}

function verifyingKey(text: string, parsed?: Ed25519PublicKey): KeyObject {
  let key = verifyKeys.get(text)
  if (key !== undefined) {
    verifyKeys.delete(text) // re-insert: Map order is our LRU order
    verifyKeys.set(text, key)
    return key
  }
  const raw = (parsed ?? parsePublicKeyText(text)).raw
  key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
  verifyKeys.set(text, key)
  if (verifyKeys.size > VERIFY_CACHE_SIZE) verifyKeys.delete(verifyKeys.keys().next().value as string)
  return key
}

export function sign(priv: Ed25519PrivateKey, bytes: Uint8Array): Uint8Array {
  return new Uint8Array(cryptoSign(null, bytes, signingKey(priv)))
}

/**
 * True when `sig` is a valid signature of `bytes` by `pub` (a key or its canonical text).
 * Malformed key text throws KeyFileError; a malformed signature is simply not valid.
 */
export function verify(pub: string | Ed25519PublicKey, bytes: Uint8Array, sig: Uint8Array): boolean {
  const key = typeof pub === 'string' ? verifyingKey(pub) : verifyingKey(publicKeyText(pub), pub)
  if (sig.length !== 64) return false
  try {
    return cryptoVerify(null, bytes, key, sig)
  } catch {
    return false
  }
}

/**
 * `verify` on libuv's thread pool (node:crypto's verify with a callback): the same answer, with the work off the
 * calling thread. Malformed key text throws KeyFileError at once, as `verify` does.
 */
export function verifyOffThread(pub: string, bytes: Uint8Array, sig: Uint8Array): Promise<boolean> {
  const key = verifyingKey(pub)
  if (sig.length !== 64) return Promise.resolve(false)
  return new Promise<boolean>((resolve) => {
    try {
      cryptoVerify(null, bytes, key, sig, (err, valid) => resolve(err === null && valid))
    } catch {
      resolve(false)
    }
  })
}
