// (a) The smallest DHT, two nodes — the case small DHTs are known to fail: a key provided on A is found from B,
// and from a client-mode browse node; after withdrawal it is gone once the TTL has passed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browseKey, contactAddresses, createBrowseNode } from '../../src/client/browse.js'
import { Advertiser } from '../../src/p2p/advertiser.js'
import { advertisedKeys } from '../../src/node/node-discovery.js'
import { keyCid } from '../../src/p2p/discovery-services.js'
import type { DiscoveryNode } from '../../src/p2p/discovery-services.js'
import { dialAddress, FAST, startNetwork, stopAll, waitFor, waitForTables } from './helpers.js'

const KEY = 'ed25519-pub AAAAC3NzaC1lZDI1NTE5AAAAIG4wb2RlLWEta2V5LWZvci10ZXN0'

describe('discovery on two nodes', () => {
  let nodes: DiscoveryNode[] = []
  let advertiser: Advertiser

  beforeAll(async () => {
    nodes = await startNetwork(2)
    await waitForTables(nodes, 1)
    advertiser = new Advertiser(nodes[0]!, { refreshMs: 1_000 })
  })
  afterAll(async () => {
    await advertiser?.stop()
    await stopAll(nodes)
  })

  it('derives the DHT key as CIDv1(raw, sha256(utf8 key text))', async () => {
    const cid = await keyCid(KEY)
    expect(cid.version).toBe(1)
    expect(cid.code).toBe(0x55)
    expect(cid.multihash.code).toBe(0x12)
    expect((await keyCid(KEY)).equals(cid)).toBe(true)
    expect((await keyCid(KEY + 'x')).equals(cid)).toBe(false)
  })

  it('serves the owner and user keys of advertised vessels only, once each', () => {
    expect(
      advertisedKeys([
        { ownerKey: 'o1', userKeys: ['u1', 'u2'], advertise: true },
        { ownerKey: 'o2', userKeys: ['u3'], advertise: false },
        { ownerKey: 'u1', userKeys: ['o1'], advertise: true },
      ]),
    ).toEqual(['o1', 'u1', 'u2'])
  })

  it('setKeys diffs against the previous set: new keys announced, kept keys left alone', async () => {
    const other = new Advertiser(nodes[1]!, { refreshMs: 60_000 })
    try {
      await other.setKeys(['k1', 'k2'])
      const before = other.status().find((s) => s.key === 'k2')!
      expect(before.error).toBeNull()
      await other.setKeys(['k2', 'k3'])
      expect(other.keys().sort()).toEqual(['k2', 'k3'])
      expect(other.status().find((s) => s.key === 'k2')!.lastAttempt).toBe(before.lastAttempt)
      expect(other.status().find((s) => s.key === 'k3')!.error).toBeNull()
    } finally {
      await other.stop()
    }
    expect(other.keys()).toEqual([])
  })

  it("finds a key provided on A from B, with A's addresses", async () => {
    await advertiser.setKeys([KEY])
    const [status] = advertiser.status()
    expect(status).toMatchObject({ key: KEY, error: null, peers: 1 })
    const found = await browseKey(nodes[1]!, KEY, { timeoutMs: 5_000 })
    expect(found.map((f) => f.peerId)).toEqual([nodes[0]!.peerId.toString()])
    expect(found[0]!.addresses).toContain(nodes[0]!.getMultiaddrs()[0]!.decapsulateCode(421).toString())
    expect(new Set(found[0]!.addresses).size).toBe(found[0]!.addresses.length)
    expect(contactAddresses(found)).toEqual([`${found[0]!.addresses[0]}/p2p/${nodes[0]!.peerId.toString()}`])
  })

  it('finds it from a client-mode browse node, and not after withdrawal + TTL', async () => {
    const client = await createBrowseNode({ bootstrap: [dialAddress(nodes[1]!)] })
    try {
      expect(client.services.dht.getMode()).toBe('client')
      const found = await browseKey(client, KEY, { timeoutMs: 5_000, limit: 1 })
      expect(found.map((f) => f.peerId)).toEqual([nodes[0]!.peerId.toString()])

      await advertiser.setKeys([])
      expect(advertiser.keys()).toEqual([])
      // A dropped its own record at once; B keeps its copy until it is older than the TTL
      const ttl = FAST.providerTtlMs! + FAST.cleanupMs! + 1_500
      await waitFor(
        'the key to disappear',
        async () => (await browseKey(client, KEY, { timeoutMs: 1_000 })).length === 0,
        ttl,
        250,
      )
    } finally {
      await client.stop()
    }
  })
})
