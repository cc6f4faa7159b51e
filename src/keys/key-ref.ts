// The one rule every command uses to name a key: a bare name (letters, digits, `._-`) is the pair
// `<keys dir>/<name>.publickey|.privatekey`; anything with a `/` or ending in `.publickey`/`.privatekey` is a path
// to the pair (the suffix may be left off).
import { basename, dirname, join, resolve } from 'node:path'
import {
  KeyFileError,
  PRIVATE_KEY_SUFFIX,
  PUBLIC_KEY_SUFFIX,
  isValidKeyName,
  loadKeyPair,
  loadPublicKey,
  type Ed25519PublicKey,
  type KeyPair,
} from './key-files.js'

/** Whether `ref` names a key by path rather than by name. */
export function isKeyPath(ref: string): boolean {
  return ref.includes('/') || ref.endsWith(PUBLIC_KEY_SUFFIX) || ref.endsWith(PRIVATE_KEY_SUFFIX)
}

/** The path of the key pair without its suffix. */
export function keyRefBase(ref: string, keysDir: string): string {
  if (isKeyPath(ref)) return resolve(ref.replace(/\.(publickey|privatekey)$/, ''))
  if (!isValidKeyName(ref)) {
    throw new KeyFileError(ref, 'not a key name (letters, digits, ._-) nor a path to a .publickey/.privatekey file')
  }
  return resolve(join(keysDir, ref))
}

/** The key pair `ref` names (see keyRefBase). */
export function loadKeyPairRef(ref: string, keysDir: string): Promise<KeyPair> {
  const base = keyRefBase(ref, keysDir)
  return loadKeyPair(dirname(base), basename(base))
}

/** The public key `ref` names (see keyRefBase). */
export function loadPublicKeyRef(ref: string, keysDir: string): Promise<Ed25519PublicKey> {
  return loadPublicKey(keyRefBase(ref, keysDir) + PUBLIC_KEY_SUFFIX)
}
