// Run by mdns.test.ts inside a fresh network namespace (unshare -n): multicast stays inside it.
// Two DHT nodes with mDNS and no bootstrap find each other; a key announced on A is found from B and from a
// browse client that also only uses mDNS. Prints one JSON line.
import { browseKey, createBrowseNode } from '../../src/client/browse.js'
import { Advertiser } from '../../src/p2p/advertiser.js'
import { dialDiscoveredPeers, routingTableSize, type DiscoveryNode } from '../../src/p2p/discovery-services.js'
import { createDiscoveryNode } from '../../src/p2p/libp2p-node.js'

const KEY = 'ed25519-pub mdns-test-key'
const mdns = { interval: 500, serviceTag: '_flotilla-test._udp.local' }
const t0 = Date.now()
const until = async (check: () => boolean, ms: number): Promise<number> => {
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
  return Date.now() - t0
}
const start = async (): Promise<DiscoveryNode> => {
  const node = await createDiscoveryNode({
    mdns,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    providerTtlMs: 3_000,
    cleanupMs: 1_000,
  })
  dialDiscoveredPeers(node)
  return node
}
const [a, b] = [await start(), await start()]
const result: Record<string, unknown> = { a: a.peerId.toString() }
try {
  result.discoveredMs = await until(() => routingTableSize(a) > 0 && routingTableSize(b) > 0, 10_000)
  const advertiser = new Advertiser(a, { refreshMs: 1_000 })
  await advertiser.setKeys([KEY])
  result.status = advertiser.status()[0]
  result.fromB = await browseKey(b, KEY, { timeoutMs: 4_000 })
  const client = await createBrowseNode({ mdns })
  result.fromClient = await browseKey(client, KEY, { timeoutMs: 6_000 })
  await advertiser.stop()
  await client.stop()
} catch (err) {
  result.error = String(err)
}
await Promise.all([a.stop(), b.stop()])
process.stdout.write(JSON.stringify(result) + '\n')
process.exit(0)
