// Ed25519 key files: `<name>.publickey` and `<name>.privatekey`, each holding the key's one-line text (key-text.ts):
// `ed25519-pub <base64 of the raw 32 bytes>` or `ed25519-priv <base64 of the raw 64 bytes (seed || public)>`.
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromRaw } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey, Ed25519PublicKey } from '@libp2p/interface'
import { KeyFileError, PRIVATE_KEY_PREFIX, decodeKeyLine, parsePublicKeyText, publicKeyText } from './key-text.js'

export { KeyFileError, PUBLIC_KEY_TEXT_LENGTH, parsePublicKeyText, publicKeyText } from './key-text.js'
export type { Ed25519PrivateKey, Ed25519PublicKey }

export const PUBLIC_KEY_SUFFIX = '.publickey'
export const PRIVATE_KEY_SUFFIX = '.privatekey'

export interface KeyPair {
  name: string
  privateKey: Ed25519PrivateKey
  publicKey: Ed25519PublicKey
  /** canonical text of the public key */
  publicKeyText: string
}

export interface KeyFilePaths {
  publicKeyFile: string
  privateKeyFile: string
}

const KEY_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/

/** Key names become file names: letters, digits, `._-`, not starting with a dot, at most 64 characters. */
export function isValidKeyName(name: string): boolean {
  return KEY_NAME.test(name)
}

export function keyFilePaths(dir: string, name: string): KeyFilePaths {
  return { publicKeyFile: join(dir, name + PUBLIC_KEY_SUFFIX), privateKeyFile: join(dir, name + PRIVATE_KEY_SUFFIX) }
}

/** The public half that a 32-byte Ed25519 seed derives, via node:crypto (PKCS#8 DER with a fixed prefix). */
function derivePublicRaw(seed: Uint8Array): Uint8Array {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({
    format: 'der',
    type: 'spki',
  })
  return new Uint8Array(spki.subarray(spki.length - 32))
}

function parsePrivateKeyText(text: string, source: string): Ed25519PrivateKey {
  const raw = decodeKeyLine(text, PRIVATE_KEY_PREFIX, 64, source)
  if (!Buffer.from(derivePublicRaw(raw.subarray(0, 32))).equals(raw.subarray(32))) {
    throw new KeyFileError(source, 'corrupt private key (its public half does not match its seed)')
  }
  const key = privateKeyFromRaw(raw)
  if (key.type !== 'Ed25519') throw new KeyFileError(source, 'not an Ed25519 private key')
  return key
}

async function readKeyFile(path: string): Promise<string> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new KeyFileError(path, 'not a file')
    if (info.size > 1024) throw new KeyFileError(path, 'too large to be a key file')
    return await readFile(path, 'utf8')
  } catch (err) {
    if (err instanceof KeyFileError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new KeyFileError(path, code === 'ENOENT' ? 'no such key file' : `cannot read (${code ?? String(err)})`, {
      cause: err,
    })
  }
}

export async function loadPublicKey(path: string): Promise<Ed25519PublicKey> {
  return parsePublicKeyText(await readKeyFile(path), path)
}

export async function loadPrivateKey(path: string): Promise<Ed25519PrivateKey> {
  return parsePrivateKeyText(await readKeyFile(path), path)
}

/** Loads `<dir>/<name>.publickey` and `.privatekey` and checks that they belong together. */
export async function loadKeyPair(dir: string, name: string): Promise<KeyPair> {
  const paths = keyFilePaths(dir, name)
  const publicKey = await loadPublicKey(paths.publicKeyFile)
  const privateKey = await loadPrivateKey(paths.privateKeyFile)
  if (!privateKey.publicKey.equals(publicKey)) {
    throw new KeyFileError(paths.publicKeyFile, `does not match the private key in ${paths.privateKeyFile}`)
  }
  return { name, privateKey, publicKey, publicKeyText: publicKeyText(publicKey) }
}

export interface GenerateOptions {
  /** overwrite an existing pair of that name */
  force?: boolean
}

/** Generates a new key pair and writes it as `<dir>/<name>.publickey` and `<dir>/<name>.privatekey` (mode 0600). */
export async function generateKeyFiles(
  dir: string,
  name: string,
  options: GenerateOptions = {},
): Promise<KeyPair & KeyFilePaths> {
  if (!isValidKeyName(name)) {
    throw new KeyFileError(
      name,
      'invalid key name (letters, digits, ._- only, not starting with a dot, at most 64 characters)',
    )
  }
  const paths = keyFilePaths(dir, name)
  if (!options.force) {
    for (const file of [paths.publicKeyFile, paths.privateKeyFile]) {
      if (await exists(file)) throw new KeyFileError(file, 'already exists (use --force to overwrite)')
    }
  }
  await mkdir(dir, { recursive: true })
  const privateKey = await generateKeyPair('Ed25519')
  const flag = options.force ? 'w' : 'wx'
  const privText = `${PRIVATE_KEY_PREFIX} ${Buffer.from(privateKey.raw).toString('base64')}\n`
  await writeFile(paths.privateKeyFile, privText, { mode: 0o600, flag })
  // An overwritten file keeps its old mode; make sure it is private.
  await chmod(paths.privateKeyFile, 0o600)
  await writeFile(paths.publicKeyFile, publicKeyText(privateKey.publicKey) + '\n', { mode: 0o644, flag })
  return {
    name,
    privateKey,
    publicKey: privateKey.publicKey,
    publicKeyText: publicKeyText(privateKey.publicKey),
    ...paths,
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
