// registerKeygen on a commander program built here (main.ts registers it later).
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { registerKeygen } from '../../src/cli/keygen.js'
import { UsageError } from '../../src/cli/usage-error.js'
import { loadKeyPair } from '../../src/keys/key-files.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-keygen-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function run(...args: string[]): Promise<string> {
  let output = ''
  const program = new Command()
    .name('flotilla')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
  registerKeygen(program, (t) => {
    output += t
  })
  await program.parseAsync(['node', 'flotilla', ...args])
  return output
}

describe('flotilla keygen', () => {
  it('writes the pair and prints the paths and the public key', async () => {
    const out = await run('keygen', 'alice', '--dir', dir)
    const pair = await loadKeyPair(dir, 'alice')
    expect(out).toBe(
      `wrote ${join(dir, 'alice.publickey')}\nwrote ${join(dir, 'alice.privatekey')}\npublic key: ${pair.publicKeyText}\n`,
    )
    expect((await stat(join(dir, 'alice.privatekey'))).mode & 0o777).toBe(0o600)
  })

  it('prints JSON with --json', async () => {
    const out = JSON.parse(await run('keygen', 'bob', '--dir', dir, '--json')) as Record<string, string>
    expect(out).toEqual({
      name: 'bob',
      publicKeyFile: join(dir, 'bob.publickey'),
      privateKeyFile: join(dir, 'bob.privatekey'),
      publicKey: (await loadKeyPair(dir, 'bob')).publicKeyText,
    })
  })

  it('refuses to overwrite without --force, with a usage error', async () => {
    await run('keygen', 'carol', '--dir', dir)
    const before = (await loadKeyPair(dir, 'carol')).publicKeyText
    const err = await run('keygen', 'carol', '--dir', dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UsageError)
    expect((err as Error).message).toMatch(/carol\.publickey: already exists \(use --force to overwrite\)/)
    expect((await loadKeyPair(dir, 'carol')).publicKeyText).toBe(before)
    await run('keygen', 'carol', '--dir', dir, '--force')
    expect((await loadKeyPair(dir, 'carol')).publicKeyText).not.toBe(before)
  })

  it('refuses a bad name with a usage error', async () => {
    await expect(run('keygen', '../evil', '--dir', dir)).rejects.toThrow(UsageError)
    await expect(run('keygen', '.hidden', '--dir', dir)).rejects.toThrow(/invalid key name/)
  })
})
