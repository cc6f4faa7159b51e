// The one rule for naming a key: a bare name in the keys folder, or a path (with or without the suffix).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeyFileError, generateKeyFiles, type KeyPair } from '../../src/keys/key-files.js'
import { keyRefBase, loadKeyPairRef, loadPublicKeyRef } from '../../src/keys/key-ref.js'

let dir: string
let alice: KeyPair
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-keyref-'))
  alice = await generateKeyFiles(join(dir, 'other-keys'), 'alice')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('naming a key', () => {
  it('a bare name is looked up in the keys folder; a path is a path, with or without its suffix', async () => {
    const keys = join(dir, 'other-keys')
    expect(keyRefBase('alice', keys)).toBe(resolve(keys, 'alice'))
    for (const ref of [
      join(keys, 'alice'),
      join(keys, 'alice.publickey'),
      join(keys, 'alice.privatekey'),
      'rel/alice',
    ]) {
      expect(keyRefBase(ref, '/unused')).toBe(resolve(ref.replace(/\.(publickey|privatekey)$/, '')))
    }
    expect((await loadKeyPairRef('alice', keys)).publicKeyText).toBe(alice.publicKeyText)
    expect((await loadKeyPairRef(join(keys, 'alice.privatekey'), '/unused')).publicKeyText).toBe(alice.publicKeyText)
    expect((await loadPublicKeyRef(join(keys, 'alice.publickey'), '/unused')).equals(alice.publicKey)).toBe(true)
  })

  it('a name that is neither a key name nor a path, or a missing key, is a KeyFileError that says what to give', async () => {
    expect(() => keyRefBase('bad name', dir)).toThrow(KeyFileError)
    expect(() => keyRefBase('bad name', dir)).toThrow(/not a key name .* nor a path/)
    await expect(loadKeyPairRef('carol', join(dir, 'other-keys'))).rejects.toThrow(/carol\.publickey: no such key file/)
  })
})
