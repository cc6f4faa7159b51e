// Errors that escape every caller (an uncaught exception from a timer) end a command as an internal error, one line
// and exit 70, except an AbortError or TimeoutError: kad-dht lets those escape when a lookup it was running is
// aborted, and a `browse` that had found its answer, or a node announcing its keys, must not die of it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { flotilla } from '../helpers/flotilla-run.js'

const PRELOAD = resolve(import.meta.dirname, 'fixtures', 'escaping-error.mjs')
// a peer id of the right form at an address where nothing listens: the lookup finds nothing and ends by its timeout
const NOWHERE = '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

describe('errors that escape', () => {
  let keys: string
  beforeAll(async () => {
    keys = mkdtempSync(join(tmpdir(), 'flotilla-escaping-'))
    await generateKeyFiles(keys, 'alice')
  })
  afterAll(() => rmSync(keys, { recursive: true, force: true }))

  const browse = (escaping: string) =>
    flotilla(['browse', '--key', 'alice', '--keys', keys, '--bootstrap', NOWHERE, '--timeout', '2', '--json'], {
      env: { NODE_OPTIONS: `--import=${PRELOAD}`, ESCAPING_ERROR: escaping },
    })

  it.each(['AbortError', 'TimeoutError'])(
    'an escaping %s does not end browse: it answers as usual',
    async (name) => {
      const { code, stdout, stderr } = await browse(name)
      expect(stderr).toBe('')
      expect(code).toBe(1) // no node found
      expect(JSON.parse(stdout)).toMatchObject({ nodes: [] })
    },
    60_000,
  )

  it('any other escaping error ends the command as an internal error: one line, exit 70', async () => {
    const { code, stdout, stderr } = await browse('Error')
    expect(code).toBe(70)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^flotilla: internal error: a fault nobody caught \(details in .+\)\n$/)
  }, 60_000)
})
