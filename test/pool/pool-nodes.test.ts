// The pool and its nodes over time, with real node managers and a real pool: leases that run out are reset and
// freed, a node that stops answering is not counted as free until it answers again, a vessel whose owner is no
// longer the pool leaves it, nodes are found through the DHT, and a node that lies about its vessels (a hostile
// peer speaking the node protocol) changes nothing.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { announceToPool, donateVessels } from '../../src/client/donate.js'
import type { KeyPair } from '../../src/keys/key-files.js'
import { NodeManager } from '../../src/node/node-manager.js'
import { nodeManagerProtocol } from '../../src/node/protocol-service.js'
import { createNodeLibp2p } from '../../src/p2p/libp2p-node.js'
import { decodeRequest, type Response } from '../../src/protocol/messages.js'
import { outcome, requireBuild, startTestNode, tempDir, waitFor, type TestNode } from '../node/nm-helpers.js'
import { TEST_SETTINGS, donatedNode, experimenters, startPool, usersOn, type TestPool } from './pool-helpers.js'

let transport: ClientTransport
let alice: KeyPair
const cleanups: Array<() => Promise<void>> = []

beforeAll(async () => {
  requireBuild()
  transport = await ClientTransport.create()
  const dir = tempDir('flotilla-pool-keys-')
  ;({ alice } = await experimenters(dir))
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }))
})

afterAll(async () => {
  for (const clean of cleanups.reverse()) await clean().catch(() => undefined)
  await transport?.close()
}, 60_000)

async function pool(settings = TEST_SETTINGS, more: Parameters<typeof startPool>[0] | object = {}): Promise<TestPool> {
  const p = await startPool({ transport, settings, ...more })
  cleanups.push(() => p.stop())
  return p
}

async function node(p: TestPool, vessels: number): Promise<TestNode> {
  const n = await donatedNode(p, transport, vessels)
  cleanups.push(() => n.stop())
  return n
}

const info = async (p: TestPool) => (await p.client()).call('PoolInfo', [])

describe('leases end', () => {
  it('a lease that runs out is reset and freed', async () => {
    const p = await pool({ ...TEST_SETTINGS, leaseMs: 2_000 })
    const n = await node(p, 1)
    const [lease] = await (await p.client(alice)).call('Acquire', [1, false])
    const user = await NodeClient.connect(lease!.node, { identity: alice, transport })
    await user.call('AddFileToVessel', ['v1', 'left.txt', new Uint8Array([7])])
    expect((await usersOn(n)).v1).toEqual([alice.publicKeyText])
    await waitFor(async () => (await info(p)).free === 1, 'the lease to end and the vessel to be free', 30_000)
    expect((await usersOn(n)).v1).toEqual([])
    expect(await (await p.client(alice)).call('List', [])).toEqual([])
    const owner = await NodeClient.connect(lease!.node, { identity: p.pool.key, transport })
    expect(await owner.call('ListFilesInVessel', ['v1'])).toEqual([])
  }, 60_000)
})

describe('nodes come and go', () => {
  it("keeps a node's announced address when the timer's check of its older one answers after the Announce", async () => {
    const p = await pool()
    const n = await node(p, 1)
    // the same listener named another way: the node announces it as its new address (as after a relay slot)
    const renamed = n.address.replace('/ip4/127.0.0.1/', '/dns4/localhost/')
    await announceToPool(p.address, [renamed], n.keys.owner, { transport })
    // a check of the timer that read the old address before the Announce, and answers only now
    await p.pool.nodes.check([n.address], n.nm.peerId, null, true)
    const [lease] = await (await p.client(alice)).call('Acquire', [1, false])
    expect(lease!.node).toBe(renamed)
  })

  it('a node that stops answering is unavailable, and back when it answers', async () => {
    const p = await pool()
    const n = await startTestNode({ transport, init: { vessels: 2, donatePercent: 20 } })
    cleanups.push(async () => rmSync(n.dir, { recursive: true, force: true }))
    await donateVessels(n.address, p.address, n.keys.owner, { transport })
    expect((await info(p)).free).toBe(2)
    await n.nm.stop()
    await p.pool.tick()
    expect(await info(p)).toMatchObject({ vessels: 2, free: 0 })
    expect((await (await p.client(n.keys.owner)).call('Status', [])).nodes).toEqual([
      { peerId: n.nm.peerId, vessels: 2, available: false },
    ])
    expect(await outcome((await p.client(alice)).call('Acquire', [1, false]))).toBe('E_NO_FREE')
    // the same node on the same address again
    const again = await NodeManager.start({
      dataDir: n.dataDir,
      keysDir: n.keysDir,
      listen: [n.address.replace(/\/p2p\/.*/, '')],
      engineWarmUp: false,
    })
    cleanups.push(() => again.stop())
    await waitFor(
      async () => {
        await p.pool.tick()
        return (await info(p)).free === 2
      },
      'the node to be available again',
      30_000,
    )
  }, 90_000)

  it('a vessel whose owner is no longer the pool leaves it, lease and all', async () => {
    const p = await pool()
    const n = await node(p, 2)
    const [lease] = await (await p.client(alice)).call('Acquire', [1, false])
    const donor = await p.client(n.keys.owner)
    expect(await donor.call('Status', [])).toMatchObject({ donated: 2, allowance: 4 })
    // the vessel goes back to its donor (as the pool's owner key could sign it, or the operator re-initializing)
    const asPool = await NodeClient.connect(n.address, { identity: p.pool.key, transport })
    await asPool.call('ChangeOwner', [lease!.vessel, n.keys.owner.publicKeyText])
    await p.pool.tick()
    expect(await (await p.client(alice)).call('List', [])).toEqual([])
    expect(await info(p)).toMatchObject({ vessels: 1, free: 1 })
    expect(await donor.call('Status', [])).toMatchObject({ donated: 1, allowance: 3 })
  }, 60_000)

  it('a pool full to its vessel limit takes no more: E_QUOTA, and the node is not recorded', async () => {
    const p = await pool(TEST_SETTINGS, { maxVessels: 3 })
    await node(p, 2)
    await node(p, 2) // one of its two fits
    expect(await info(p)).toMatchObject({ nodes: 2, vessels: 3, free: 3 })
    const third = await startTestNode({ transport, init: { vessels: 1, donatePercent: 20 } })
    cleanups.push(() => third.stop())
    await expect(donateVessels(third.address, p.address, third.keys.owner, { transport })).rejects.toMatchObject({
      code: 'E_QUOTA',
    })
    expect(await info(p)).toMatchObject({ nodes: 2, vessels: 3, free: 3 })
  }, 60_000)

  it('the pool finds donated nodes by looking its key up in the DHT', async () => {
    const p = await pool()
    const n = await startTestNode({
      transport,
      init: { vessels: 2, donatePercent: 20, discovery: { bootstrap: [p.address] } },
    })
    cleanups.push(() => n.stop())
    // given away without telling the pool: the node announces the pool's key, and the pool looks it up
    const owner = await n.client('owner')
    for (const v of ['v1', 'v2']) await owner.call('ChangeOwner', [v, p.pool.key.publicKeyText])
    await waitFor(
      async () => {
        await p.pool.tick()
        return (await info(p)).free === 2
      },
      'the pool to find the node in the DHT',
      60_000,
      500,
    )
  }, 90_000)
})

describe('a node that lies', () => {
  /** A peer that speaks the node protocol and answers GetVessels with `vessels(peerId)`, and refuses the rest. */
  async function liar(vessels: (peerId: string) => unknown): Promise<string> {
    const fake: { peerId: string } = { peerId: '' }
    const libp2p = await createNodeLibp2p({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      discovery: {},
      services: {
        nm: nodeManagerProtocol({
          handle: (bytes) => {
            const request = decodeRequest(bytes)
            const answer: Response<unknown> =
              request.call === 'GetVessels'
                ? { ok: true, value: vessels(fake.peerId) }
                : { ok: false, code: 'E_PERMISSION', message: 'not yours' }
            return Promise.resolve(answer)
          },
        }),
      },
    })
    fake.peerId = libp2p.peerId.toString()
    cleanups.push(async () => {
      await libp2p.stop()
    })
    return libp2p.getMultiaddrs()[0]!.toString()
  }

  const vessel = (name: string, ownerKey: string) => ({ name, ownerKey, userKeys: [], ownerInfo: '' })

  it('a malformed or contradictory vessel list is E_NOT_DONATED and changes nothing', async () => {
    const p = await pool()
    const key = p.pool.key.publicKeyText
    const before = await info(p)
    const cases = [
      await liar(() => ({ peerId: '12D3KooWsomeoneelse', vessels: [vessel('v1', key)] })),
      await liar((id) => ({ peerId: id, vessels: [vessel('v1', key), vessel('v1', key)] })),
      await liar((id) => ({ peerId: id, vessels: [{ name: '../x', ownerKey: key, userKeys: [], ownerInfo: '' }] })),
      await liar((id) => ({ peerId: id, vessels: 'many' })),
      await liar((id) => ({ peerId: id, vessels: [vessel('v1', alice.publicKeyText)] })),
    ]
    const announcer = await p.client(alice)
    for (const address of cases) expect(await outcome(announcer.call('Announce', [[address]]))).toBe('E_NOT_DONATED')
    expect(await info(p)).toEqual(before)
  })

  it('an acquire that a node refuses is undone on the other nodes, and the liar leaves the pool', async () => {
    const p = await pool()
    const honest = await node(p, 1)
    const key = p.pool.key.publicKeyText
    const address = await liar((id) => ({ peerId: id, vessels: [vessel('v1', key)] }))
    await (await p.client(alice)).call('Announce', [[address]])
    expect((await info(p)).free).toBe(2)
    expect(await outcome((await p.client(alice)).call('Acquire', [2, true]))).toBe('E_NO_FREE')
    // the timer's round asks the known nodes again: the liar, still claiming v1, is not one of them any more
    await p.pool.tick()
    expect((await usersOn(honest)).v1).toEqual([])
    expect(await (await p.client(alice)).call('List', [])).toEqual([])
    expect(await info(p)).toMatchObject({ nodes: 1, vessels: 1, free: 1 })
  }, 60_000)
})
