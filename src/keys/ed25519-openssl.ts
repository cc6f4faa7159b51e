// Ed25519 through node:crypto's OpenSSL: what signatures.ts uses where libsodium's addon has no build for the
// platform (sodium-native ships none for 32-bit ARM Linux, for one). About half as fast. OpenSSL accepts a public key
// of small order, with which a fixed signature is valid for every message; libsodium refuses such a key, and so does
// this backend, before OpenSSL sees it (key-text.ts).
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import type { Ed25519Backend } from './ed25519-backend.js'
import { hasSmallOrder } from './key-text.js'

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export const opensslEd25519: Ed25519Backend<KeyObject, KeyObject> = {
  name: 'openssl',
  signingKey: (seed) => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
  sign: (key, bytes) => new Uint8Array(sign(null, bytes, key)),
  verifyingKey: (raw) =>
    hasSmallOrder(raw)
      ? null
      : createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
  verify: (key, bytes, sig) => {
    try {
      return verify(null, bytes, key, sig)
    } catch {
      return false
    }
  },
}
