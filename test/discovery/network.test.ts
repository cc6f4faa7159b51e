// (b) A larger network in one process: 32 DHT nodes bootstrapped via node 0 and a client-mode browse node.
// A key added on node k is found; a refreshed key outlives the TTL; a withdrawn key disappears after the TTL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browseKey, createBrowseNode } from '../../src/client/browse.js'
import { Advertiser } from '../../src/node/advertiser.js'
import type { DiscoveryNode } from '../../src/node/discovery-services.js'
import { dialAddress, FAST, startNetwork, stopAll, waitFor, waitForTables } from './helpers.js'

const COUNT = 32
const key = (n: number): string => `ed25519-pub network-test-key-${n}`
const ttl = FAST.providerTtlMs! + FAST.cleanupMs!

describe(`discovery on ${COUNT} nodes`, () => {
  let nodes: DiscoveryNode[] = []
  let browser: DiscoveryNode
  const advertisers: Advertiser[] = []

  beforeAll(async () => {
    nodes = await startNetwork(COUNT)
    // 32 nodes in one process join slowly on a loaded machine: the deadline is only a backstop
    await waitForTables(nodes, 2, 100_000)
    browser = await createBrowseNode({ bootstrap: [dialAddress(nodes[0]!)] })
  }, 120_000)
  afterAll(async () => {
    await Promise.all(advertisers.map((a) => a.stop()))
    await stopAll([...nodes, ...(browser ? [browser] : [])])
  })

  const advertiserOn = (n: number): Advertiser => {
    const a = new Advertiser(nodes[n]!, { refreshMs: 1_000 })
    advertisers.push(a)
    return a
  }
  const peersOf = async (k: string, timeoutMs = 8_000): Promise<string[]> =>
    (await browseKey(browser, k, { timeoutMs })).map((f) => f.peerId).sort()

  it('finds a key added on node k, a key served by two nodes on both, and not an unknown key', async () => {
    const a = advertiserOn(17)
    const b = advertiserOn(29)
    await Promise.all([a.setKeys([key(1), key(2)]), b.setKeys([key(2)])])
    expect(a.status().every((s) => s.error === null && s.peers > 0)).toBe(true)
    // a lookup on a loaded machine may time out before it reaches the providers: ask again until it answers exactly
    const finds = async (k: string, want: string[]): Promise<void> => {
      let got: string[] = []
      await waitFor(() => `${k} found on ${want.join(', ')} (got ${got.join(', ') || 'nothing'})`,
        async () => JSON.stringify(got = await peersOf(k)) === JSON.stringify(want), 30_000, 250)
    }
    await finds(key(1), [nodes[17]!.peerId.toString()])
    await finds(key(2), [nodes[17]!.peerId.toString(), nodes[29]!.peerId.toString()].sort())
    expect(await peersOf('ed25519-pub nobody', 3_000)).toEqual([])
  }, 60_000)

  it('keeps a refreshed key past the TTL and drops a withdrawn one after it', async () => {
    const a = advertisers[0]!
    await a.setKeys([key(2)])                 // key(1) withdrawn (ChangeUsers without it)
    const start = Date.now()
    // node 17 dropped its own record at once; the copies on other nodes last until they are older than the TTL
    await waitFor('key 1 to disappear', async () => (await peersOf(key(1), 2_000)).length === 0, ttl + 3_000, 250)
    if (Date.now() - start < ttl + 500) await new Promise((r) => setTimeout(r, ttl + 500 - (Date.now() - start)))
    // re-announced every second, still there after the TTL (a lookup on a loaded machine may miss one: ask again)
    await waitFor('both providers of key 2', async () => (await peersOf(key(2))).length === 2, 20_000, 250)
    expect(a.status()[0]!.lastSuccess! > start).toBe(true)
  }, 60_000)
})
