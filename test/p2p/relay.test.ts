// Circuit relay between real node managers on 127.0.0.x: a node told to use a relay (--relay-reserve always) reserves
// a slot on the node it bootstrapped from, announces only its relayed addresses, and a client that found it in the
// DHT reaches it through the relay with real node-manager requests, signed ones included.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contactAddresses, findNodes } from '../../src/client/browse.js'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { loadPrivateKey, publicKeyText, type KeyPair } from '../../src/keys/key-files.js'
import { NodeManager, type NatSettings } from '../../src/node/node-manager.js'
import { isCircuit } from '../../src/p2p/addresses.js'
import { multiaddr } from '@multiformats/multiaddr'
import { waitForValue } from '../helpers/wait-for.js'

let dir: string
const started: NodeManager[] = []

async function start(name: string, ip: string, bootstrap: string[], nat: Partial<NatSettings>): Promise<NodeManager> {
  const listen = `/ip4/${ip}/tcp/0`
  const nm = await NodeManager.start({
    dataDir: join(dir, name, 'data'),
    keysDir: join(dir, name, 'keys'),
    listen: [listen],
    init: { donatePercent: 10, vessels: 1, listen: [listen] },
    // announced again every second: the relayed address is in the DHT soon after the slot is reserved
    discovery: { ttlS: 3, refreshS: 1, bootstrap },
    nat,
    // they run no program: the engine warm-up would cost each start a second of a core
    engineWarmUp: false,
  })
  started.push(nm)
  return nm
}

async function ownerOf(name: string): Promise<KeyPair> {
  const privateKey = await loadPrivateKey(join(dir, name, 'keys', 'owner.privatekey'))
  return {
    name: 'owner',
    privateKey,
    publicKey: privateKey.publicKey,
    publicKeyText: publicKeyText(privateKey.publicKey),
  }
}

describe('nodes behind a relay', () => {
  let relay: NodeManager
  let natted: NodeManager

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-relay-'))
    relay = await start('relay', '127.0.0.1', [], {})
    natted = await start('natted', '127.0.0.2', [relay.addresses[0]!], { reserve: 'always' })
  }, 60_000)
  afterAll(async () => {
    for (const nm of started.reverse()) await nm.stop().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  })

  it('a node with --relay-reserve always reserves a slot on the relay and announces only its relayed addresses', async () => {
    const summary = await waitForValue(
      () => natted.summary(),
      (s) => s.reachability?.how === 'relay',
      'the node reachable through the relay',
      30_000,
    )
    expect(summary.reachability?.relays).toEqual([relay.peerId])
    expect(summary.addresses.length).toBeGreaterThan(0)
    for (const a of summary.addresses) expect(a).toContain(`/p2p/${relay.peerId}/p2p-circuit/p2p/${natted.peerId}`)
    // the relay itself is reached at its own addresses and serves the slot
    expect((await relay.summary()).reachability).toEqual({ how: 'direct', relays: [], natAddresses: [] })
  })

  it('a client finds the node in the DHT at its relayed address and calls it through the relay', async () => {
    await waitForValue(
      () => natted.summary(),
      (s) => s.reachability?.how === 'relay',
      'the node reachable through the relay',
      30_000,
    )
    const owner = await ownerOf('natted')
    const found = await waitForValue(
      () => findNodes(owner.publicKeyText, { bootstrap: [relay.addresses[0]!], timeoutMs: 5_000 }),
      (nodes) => nodes.some((n) => n.peerId === natted.peerId && n.addresses.some((a) => isCircuit(multiaddr(a)))),
      'the node found with a relayed address',
      30_000,
    )
    const node = found.find((n) => n.peerId === natted.peerId)!
    // the address a client contacts first (browse, deploy) is the relayed one
    expect(contactAddresses([node])).toEqual([`${relay.addresses[0]!}/p2p-circuit/p2p/${natted.peerId}`])
    const address = `${node.addresses.find((a) => isCircuit(multiaddr(a)))!}/p2p/${natted.peerId}`
    const transport = await ClientTransport.create()
    try {
      const client = await NodeClient.connect(address, { transport, identity: owner, timeoutMs: 15_000 })
      const vessels = (await client.getVessels()).vessels
      expect(vessels.length).toBe(1)
      const vessel = vessels[0]!.name
      // a signed call that changes the node, then reads it back: both through the relay
      await client.call('AddFileToVessel', [vessel, 'hello.js', new TextEncoder().encode('log("hi")\n')])
      expect(await client.call('ListFilesInVessel', [vessel])).toContain('hello.js')
      const connections = transport.node.getConnections().filter((c) => c.remotePeer.toString() === natted.peerId)
      expect(connections.length).toBeGreaterThan(0)
      for (const c of connections) expect(isCircuit(c.remoteAddr)).toBe(true)
      // the relay applies its limits to the relayed connection (bytes and time, relay-limits.ts)
      expect(connections.every((c) => c.limits !== undefined)).toBe(true)
    } finally {
      await transport.close()
    }
  }, 90_000)

  it('--relay-reserve never keeps a node at its own addresses; --no-relay serves no slots', async () => {
    const alone = await start('alone', '127.0.0.3', [relay.addresses[0]!], {
      reserve: 'never',
      relayServer: false,
    })
    const summary = await alone.summary()
    expect(summary.reachability).toEqual({ how: 'direct', relays: [], natAddresses: [] })
    expect(summary.addresses.some((a) => a.includes('p2p-circuit'))).toBe(false)
    expect(alone.node.getProtocols().some((p) => p.includes('/circuit/relay/0.2.0/hop'))).toBe(false)
    expect(relay.node.getProtocols().some((p) => p.includes('/circuit/relay/0.2.0/hop'))).toBe(true)
  }, 60_000)
})
