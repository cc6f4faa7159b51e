// The client library: one shared transport talks to several nodes at once; the peer id comes from the address or
// the connection; transport problems are E_UNREACHABLE / E_TIMEOUT; the node's refusals keep their codes.
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { NodeError } from '../../src/protocol/errors.js'
import { HELLO, enc, startTestNode, text, waitFor, type TestNode } from '../node/nm-helpers.js'

let transport: ClientTransport
const nodes: TestNode[] = []

beforeAll(async () => {
  transport = await ClientTransport.create()
  for (let i = 0; i < 3; i++) nodes.push(await startTestNode({ transport, init: { vessels: 2 } }))
})
afterAll(async () => {
  for (const n of nodes) await n.stop()
  await transport?.close()
})

const code = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof NodeError ? e.code : String(e)),
  )

describe('NodeClient', () => {
  it('runs a program on every node through one shared transport', async () => {
    const clients = await Promise.all(
      nodes.map((n) => NodeClient.connect(n.address, { identity: n.keys.owner, transport })),
    )
    await Promise.all(clients.map((c) => c.call('AddFileToVessel', ['v2', 'hello.js', enc(HELLO)])))
    expect(await Promise.all(clients.map((c) => c.call('StartVessel', ['v2', 'hello.js', []])))).toEqual([
      'Started',
      'Started',
      'Started',
    ])
    for (const c of clients) {
      const v2 = await waitFor(async () => {
        const v = (await c.getVessels()).vessels[1]!
        return v.status !== 'Started' && v
      }, 'hello.js to end')
      expect(v2, JSON.stringify(v2)).toMatchObject({ status: 'Terminated', exit: { code: 0 } })
      expect(text(await c.call('ReadVesselLog', ['v2']))).toMatch(
        /^--- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: hello\.js ---\nHello World\n$/,
      )
    }
    expect(new Set(clients.map((c) => c.peerId)).size).toBe(3)
    expect(transport.node.getConnections().length).toBeGreaterThanOrEqual(3)
    for (const c of clients) await c.close() // a shared transport stays open
    expect((await NodeClient.connect(nodes[0]!.address, { transport })).peerId).toBe(nodes[0]!.nm.peerId)
  })

  it('learns the peer id when the address has no /p2p/ part, and signs for it', async () => {
    const n = nodes[1]!
    const bare = n.address.split('/p2p/')[0]!
    const c = await NodeClient.connect(bare, { identity: n.keys.owner, transport })
    expect(c.peerId).toBe(n.nm.peerId)
    expect(c.address.toString()).toBe(n.address)
    expect(await c.call('ListFilesInVessel', ['v1'])).toEqual([])
  })

  it('a client without a shared transport makes and closes its own', async () => {
    const c = await NodeClient.connect(nodes[2]!.address)
    expect((await c.getVessels()).peerId).toBe(nodes[2]!.nm.peerId)
    await c.close()
  })

  it("reports transport problems as E_UNREACHABLE / E_TIMEOUT and refusals with the node's code", async () => {
    const wrongPeer = nodes[0]!.address.split('/p2p/')[0] + '/p2p/' + nodes[1]!.nm.peerId
    // (a fresh transport: a shared one reuses its open connection to the peer the address names)
    expect(await code(NodeClient.connect(wrongPeer, { timeoutMs: 5000 }))).toBe('E_UNREACHABLE')
    expect(await code(NodeClient.connect('/ip4/127.0.0.1/tcp/1', { transport }))).toBe('E_UNREACHABLE')
    expect(await code(NodeClient.connect('nonsense', { transport }))).toBe('E_USAGE')
    // a TCP server that accepts and never answers
    const held: Socket[] = []
    const silent: Server = createServer((socket) => held.push(socket))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as { port: number }).port
    expect(await code(NodeClient.connect(`/ip4/127.0.0.1/tcp/${port}`, { transport, timeoutMs: 500 }))).toBe(
      'E_TIMEOUT',
    )
    for (const socket of held) socket.destroy()
    silent.close()
    const stranger = await NodeClient.connect(nodes[0]!.address, { identity: nodes[1]!.keys.owner, transport })
    await expect(stranger.call('StopVessel', ['v1'])).rejects.toMatchObject({ code: 'E_PERMISSION' })
  })
})
