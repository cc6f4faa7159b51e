// (c) Churn: nodes that leave stop being returned once their records pass the TTL; a node that restarts with the
// same identity (and announces again on start) is found again.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browseKey, createBrowseNode } from '../../src/client/browse.js'
import { Advertiser } from '../../src/p2p/advertiser.js'
import type { DiscoveryNode } from '../../src/p2p/discovery-services.js'
import { dialAddress, FAST, startNetwork, startNode, stopAll, waitFor, waitForTables } from './helpers.js'

const KEY = 'ed25519-pub churn-test-key'
const ttl = FAST.providerTtlMs! + FAST.cleanupMs!

describe('discovery under churn', () => {
  let nodes: DiscoveryNode[] = []
  let browser: DiscoveryNode
  const advertisers: Advertiser[] = []

  beforeAll(async () => {
    nodes = await startNetwork(6)
    await waitForTables(nodes, 2)
    browser = await createBrowseNode({ bootstrap: [dialAddress(nodes[0]!)] })
  }, 30_000)
  afterAll(async () => {
    await Promise.all(advertisers.map((a) => a.stop()))
    await stopAll([...nodes, ...(browser ? [browser] : [])])
  })

  const serve = async (node: DiscoveryNode): Promise<void> => {
    const a = new Advertiser(node, { refreshMs: 1_000 })
    advertisers.push(a)
    await a.setKeys([KEY])
  }
  const found = async (timeoutMs = 4_000): Promise<string[]> =>
    (await browseKey(browser, KEY, { timeoutMs })).map((f) => f.peerId).sort()

  it('drops nodes that left after the TTL, and finds a restarted node again', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    const bootstrap = [dialAddress(nodes[0]!)]
    const restarting = await startNode(bootstrap, FAST, { privateKey })
    const address = dialAddress(restarting)
    const id = restarting.peerId.toString()
    await waitForTables([restarting], 1)
    await serve(restarting)
    await serve(nodes[4]!)
    expect(await found()).toEqual([id, nodes[4]!.peerId.toString()].sort())

    // both leave without withdrawing anything: their records live on other nodes until the TTL
    await Promise.all(advertisers.map((a) => a.stop()))
    await stopAll([restarting, nodes[4]!])
    const left = Date.now()
    expect((await found(2_000)).length).toBeGreaterThan(0)
    await waitFor(
      'the records of the nodes that left to expire',
      async () => (await found(2_000)).length === 0,
      ttl + 6_000,
      250,
    )
    expect(Date.now() - left).toBeLessThan(ttl + 6_000)

    // same identity, same port: it rejoins and announces its keys again on start
    const again = await startNode(bootstrap, FAST, { privateKey, listen: [address.split('/p2p/')[0]!] })
    nodes.push(again)
    expect(again.peerId.toString()).toBe(id)
    await waitForTables([again], 1)
    await serve(again)
    const back = await browseKey(browser, KEY, { timeoutMs: 4_000 })
    expect(back.map((f) => f.peerId)).toEqual([id])
    expect(back[0]!.addresses).toContain(address.split('/p2p/')[0])
  }, 45_000)
})
