// Ed25519 through libsodium (the sodium-native addon): 42 µs a verify and 15 µs a signature on this project's 2-core
// test machine, where OpenSSL took 91 and 32 (BENCH=keys runs both). It refuses a key or a signature point of small
// order and a key not in its canonical encoding. Loaded with require, so that a platform without the addon's build
// gets undefined here instead of a process that cannot start (signatures.ts then uses OpenSSL).
import { createRequire } from 'node:module'
import type { Ed25519Backend } from './ed25519-backend.js'

interface Sodium {
  crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void
  crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
}

function loadSodium(): Sodium | undefined {
  try {
    return createRequire(import.meta.url)('sodium-native') as Sodium
  } catch {
    return undefined
  }
}

const sodium = loadSodium()

export const sodiumEd25519: Ed25519Backend<Uint8Array, Uint8Array> | undefined = sodium && {
  name: 'libsodium',
  signingKey: (seed) => {
    // libsodium's secret key: the seed, then the public key
    const key = new Uint8Array(64)
    sodium.crypto_sign_seed_keypair(new Uint8Array(32), key, seed)
    return key
  },
  sign: (key, bytes) => {
    const signature = new Uint8Array(64)
    sodium.crypto_sign_detached(signature, bytes, key)
    return signature
  },
  verifyingKey: (raw) => raw,
  verify: (key, bytes, sig) => sodium.crypto_sign_verify_detached(sig, bytes, key),
}
