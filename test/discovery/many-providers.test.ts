// A key served by more nodes than kad-dht's K (20): 23 DHT nodes in one process, 21 of them announcing one key.
// A lookup stops collecting providers at the browsing node's K, so a browse node with the default K listed at most
// 20 (the issue: with 25 nodes, half the runs found 20; here the 21st would be missing). Each lookup here is a whole
// `lookUp` from a fresh browse node, as `flotilla browse` makes one. The serving nodes' own K is 8: the limit under
// test is the browse node's, and with K = 20 on 23 nodes every node connects to nearly every other (30 nodes with
// K = 20 took 17-23 s of cpu, 23 with K = 8 took 11-12 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lookUp } from '../../src/client/browse.js'
import { Advertiser } from '../../src/p2p/advertiser.js'
import type { DiscoveryNode } from '../../src/p2p/discovery-services.js'
import { dialAddress, startNetwork, stopAll, waitFor, waitForTables } from './helpers.js'

const COUNT = 23
const SERVING = 21
const KEY = 'ed25519-pub many-providers-test-key'
// records outlive the test, so that each announcer announces once (25 re-announcing every second load the machine);
// K = 8 on the serving nodes (see above)
const LONG = { providerTtlMs: 600_000, cleanupMs: 60_000, kBucketSize: 8 }

describe(`a key served by ${SERVING} of ${COUNT} DHT nodes`, () => {
  let nodes: DiscoveryNode[] = []
  let advertisers: Advertiser[] = []

  beforeAll(async () => {
    nodes = await startNetwork(COUNT, LONG)
    await waitForTables(nodes, 1, 100_000)
    advertisers = nodes.slice(1, 1 + SERVING).map((n) => new Advertiser(n, { refreshMs: 300_000, retryMs: 1_000 }))
    await Promise.all(advertisers.map((a) => a.setKeys([KEY])))
    // a first announce may time out on a loaded machine; the advertiser retries it every second
    await waitFor(
      () => `every announce to succeed (${advertisers.filter((a) => a.status()[0]?.error !== null).length} not yet)`,
      () => advertisers.every((a) => a.status()[0]?.error === null),
      120_000,
    )
  }, 240_000)
  afterAll(async () => {
    await Promise.all(advertisers.map((a) => a.stop()))
    await stopAll(nodes)
  })

  it('browse finds every one of them, more than K = 20', async () => {
    const want = nodes
      .slice(1, 1 + SERVING)
      .map((n) => n.peerId.toString())
      .sort()
    let got: string[] = []
    // a lookup on a loaded machine may time out before it reached every record: look again until it is exact
    await waitFor(
      () => `all ${SERVING} found (got ${got.length})`,
      async () => {
        const lookup = await lookUp(KEY, { bootstrap: [dialAddress(nodes[0]!)], timeoutMs: 15_000 })
        await lookup.stop()
        got = lookup.found.map((f) => f.peerId).sort()
        return got.length >= SERVING
      },
      120_000,
      250,
    )
    expect(got).toEqual(want)
  }, 180_000)
})
