// `flotilla browse` (registerBrowse on a program built here; main.ts registers it later). The nodes here are bare
// DHT nodes, not node managers, so contacting them for GetVessels fails: browse lists the node found apart, as one
// that did not answer, and exits 3 (node-manager-discovery.test.ts and browse-many-nodes.test.ts browse real node
// managers).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerBrowse, type BrowseResult } from '../../src/cli/browse.js'
import { UsageError } from '../../src/cli/usage-error.js'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { Advertiser } from '../../src/p2p/advertiser.js'
import type { DiscoveryNode } from '../../src/p2p/discovery-services.js'
import { waitFor } from '../helpers/wait-for.js'
import { dialAddress, startNetwork, stopAll, waitForTables } from './helpers.js'

let dir: string
let nodes: DiscoveryNode[] = []
let advertiser: Advertiser
let keyText: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-browse-'))
  keyText = (await generateKeyFiles(dir, 'alice')).publicKeyText
  await generateKeyFiles(dir, 'bob')
  nodes = await startNetwork(3)
  await waitForTables(nodes, 1)
  advertiser = new Advertiser(nodes[2]!, { refreshMs: 1_000 })
  await advertiser.setKeys([keyText])
  // The first announce may time out on a loaded machine; the advertiser retries until the key reached a peer.
  await waitFor(
    async () => advertiser.status().every((s) => s.error === null && s.peers > 0),
    () => `the announce to succeed (${JSON.stringify(advertiser.status())})`,
    60_000,
  )
}, 90_000)
afterAll(async () => {
  await advertiser?.stop()
  await stopAll(nodes)
  await rm(dir, { recursive: true, force: true })
})

async function run(...args: string[]): Promise<{ out: string; code: number }> {
  let out = ''
  const program = new Command()
    .name('flotilla')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
  registerBrowse(program, (t) => {
    out += t
  })
  process.exitCode = 0
  await program.parseAsync(['node', 'flotilla', ...args])
  const code = Number(process.exitCode ?? 0)
  process.exitCode = 0
  return { out, code }
}

describe('flotilla browse', () => {
  it('finds the node that advertises the key, lists it as not answering and exits 3', async () => {
    // Generous for a loaded machine: the lookup ends when it has asked every node, not at the timeout.
    const browseAlice = (...more: string[]) =>
      run('browse', '--key', 'alice', '--keys', dir, '--bootstrap', dialAddress(nodes[0]!), '--timeout', '30', ...more)
    const { out, code } = await browseAlice('--json')
    const result = JSON.parse(out) as BrowseResult
    expect(code).toBe(3)
    expect(result.key).toBe(keyText)
    expect(result.nodes).toEqual([])
    expect(result.unreachable.map((n) => n.peerId)).toEqual([nodes[2]!.peerId.toString()])
    expect(result.unreachable[0]!.addresses).toEqual([nodes[2]!.getMultiaddrs()[0]!.decapsulate('/p2p').toString()])
    expect(result.unreachable[0]!.error).toMatch(/E_/)
    const text = await browseAlice()
    expect(text.code).toBe(3)
    expect(text.out).toMatch(
      /^1 node found, 1 did not answer\ndid not answer [^\n]*:\n {2}12D3\w+ \(\/ip4\/127\.0\.0\.1\/tcp\/\d+\): E_/,
    )
  })

  it('prints "no nodes found" and exits 1 for a key nobody advertises', async () => {
    const { out, code } = await run(
      'browse',
      '--key',
      'bob',
      '--keys',
      dir,
      '--bootstrap',
      dialAddress(nodes[1]!),
      '--timeout',
      '2',
    )
    expect(out).toBe('no nodes found\n')
    expect(code).toBe(1)
  })

  it('refuses a missing key, no way to find peers, and a bootstrap address without /p2p/', async () => {
    await expect(run('browse', '--key', 'nobody', '--keys', dir, '--mdns')).rejects.toThrow(UsageError)
    await expect(run('browse', '--key', 'alice', '--keys', dir)).rejects.toThrow(/--bootstrap <multiaddr> or --mdns/)
    await expect(run('browse', '--key', 'alice', '--keys', dir, '--bootstrap', '/ip4/127.0.0.1/tcp/1')).rejects.toThrow(
      /p2p/,
    )
    await expect(run('browse', '--key', 'alice', '--keys', dir, '--mdns', '--timeout', 'x')).rejects.toThrow(
      /--timeout/,
    )
  })
})
