import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  KeyFileError,
  generateKeyFiles,
  loadKeyPair,
  loadPrivateKey,
  loadPublicKey,
  parsePublicKeyText,
  publicKeyText,
} from '../../src/keys/key-files.js'
import { sign, verify } from '../../src/keys/signatures.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-keys-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('key files', () => {
  it('round-trips a generated pair through its files', async () => {
    const made = await generateKeyFiles(dir, 'alice')
    expect(made.publicKeyFile).toBe(join(dir, 'alice.publickey'))
    const pubText = (await readFile(made.publicKeyFile, 'utf8')).trim()
    expect(pubText).toMatch(/^ed25519-pub [A-Za-z0-9+/]{43}=$/)
    expect(pubText).toBe(made.publicKeyText)
    expect((await readFile(made.privateKeyFile, 'utf8')).trim()).toMatch(/^ed25519-priv [A-Za-z0-9+/]{86}==$/)
    expect((await stat(made.privateKeyFile)).mode & 0o777).toBe(0o600)

    const pair = await loadKeyPair(dir, 'alice')
    expect(pair.publicKeyText).toBe(made.publicKeyText)
    expect(pair.privateKey.equals(made.privateKey)).toBe(true)
    expect((await loadPublicKey(made.publicKeyFile)).equals(made.publicKey)).toBe(true)
    expect((await loadPrivateKey(made.privateKeyFile)).publicKey.equals(made.publicKey)).toBe(true)
  })

  it('refuses to overwrite a pair unless forced', async () => {
    const first = await generateKeyFiles(dir, 'bob')
    await expect(generateKeyFiles(dir, 'bob')).rejects.toThrow(/bob\.publickey: already exists \(use --force/)
    expect((await loadKeyPair(dir, 'bob')).publicKeyText).toBe(first.publicKeyText)
    const second = await generateKeyFiles(dir, 'bob', { force: true })
    expect(second.publicKeyText).not.toBe(first.publicKeyText)
    expect((await loadKeyPair(dir, 'bob')).publicKeyText).toBe(second.publicKeyText)
  })

  it('refuses names that are not plain file names', async () => {
    for (const name of ['', '.hidden', 'a/b', '../x', 'x y']) {
      await expect(generateKeyFiles(dir, name)).rejects.toBeInstanceOf(KeyFileError)
    }
  })

  it('names the file on bad content', async () => {
    const { publicKeyText: good } = await generateKeyFiles(dir, 'good')
    const cases: Array<[string, string, RegExp]> = [
      ['missing.publickey', '', /no such key file/],
      ['prefix.publickey', good.replace('ed25519-pub', 'rsa-pub'), /expected one line "ed25519-pub <base64>"/],
      ['short.publickey', 'ed25519-pub AAAA', /must be 32 bytes, got 3/],
      ['notb64.publickey', 'ed25519-pub ' + '!'.repeat(44), /not valid base64/],
      ['twolines.publickey', good + '\n' + good, /expected one line/],
    ]
    for (const [file, content, message] of cases) {
      const path = join(dir, file)
      if (content !== '') await writeFile(path, content)
      const err = await loadPublicKey(path).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(KeyFileError)
      expect((err as KeyFileError).file).toBe(path)
      expect((err as Error).message).toMatch(message)
      expect((err as Error).message.startsWith(path)).toBe(true)
    }
  })

  it('detects a corrupt private key and a pair that does not match', async () => {
    const a = await generateKeyFiles(dir, 'a')
    const b = await generateKeyFiles(dir, 'b')
    const raw = Buffer.from((await readFile(a.privateKeyFile, 'utf8')).trim().split(' ')[1]!, 'base64')
    raw[40]! ^= 1
    await writeFile(a.privateKeyFile, `ed25519-priv ${raw.toString('base64')}\n`)
    await expect(loadPrivateKey(a.privateKeyFile)).rejects.toThrow(/corrupt private key/)
    // a's public key with b's private key
    await writeFile(a.privateKeyFile, await readFile(b.privateKeyFile, 'utf8'))
    await expect(loadKeyPair(dir, 'a')).rejects.toThrow(/a\.publickey: does not match the private key/)
  })

  it('parses only the canonical public key text', async () => {
    const { publicKey, publicKeyText: text } = await generateKeyFiles(dir, 'k')
    expect(parsePublicKeyText(text).equals(publicKey)).toBe(true)
    expect(publicKeyText(parsePublicKeyText(text))).toBe(text)
    expect(() => parsePublicKeyText(text.replace(' ', '  '))).toThrow(KeyFileError)
    expect(() => parsePublicKeyText(text.slice(0, -1))).toThrow(/not valid base64/)
    expect(() => parsePublicKeyText('garbage', 'request key')).toThrow(/^request key: /)
  })

  it('refuses a key of small order, and 32 bytes that are no point of the curve', () => {
    const text = (bytes: number[]) => `ed25519-pub ${Buffer.from(bytes).toString('base64')}`
    const neutral = text([1, ...new Array<number>(31).fill(0)])
    expect(() => parsePublicKeyText(neutral, 'user key')).toThrow(/^user key: not a usable Ed25519 public key/)
    // y = 2 has no x on the curve
    expect(() => parsePublicKeyText(text([2, ...new Array<number>(31).fill(0)]))).toThrow(/not a usable/)
  })
})

describe('sign and verify', () => {
  it('verifies with the key or its text, and rejects tampering', async () => {
    const { privateKey, publicKey, publicKeyText: text } = await generateKeyFiles(dir, 's')
    const msg = new TextEncoder().encode('hello vessel')
    const sig = sign(privateKey, msg)
    expect(sig.length).toBe(64)
    expect(verify(text, msg, sig)).toBe(true)
    expect(verify(publicKey, msg, sig)).toBe(true)
    const other = await generateKeyFiles(dir, 'o')
    expect(verify(other.publicKeyText, msg, sig)).toBe(false)
    const bad = Uint8Array.from(sig)
    bad[5]! ^= 0x80
    expect(verify(text, msg, bad)).toBe(false)
    expect(verify(text, Uint8Array.from([...msg, 0]), sig)).toBe(false)
    expect(verify(text, msg, sig.subarray(0, 63))).toBe(false)
    expect(() => verify('ed25519-pub nope', msg, sig)).toThrow(KeyFileError)
  })
})
