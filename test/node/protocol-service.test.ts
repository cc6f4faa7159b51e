// The node-manager protocol as a libp2p service on its own: any libp2p node built with createNodeLibp2p serves it
// with the handler it is given, tells that handler who the peer is, and stops serving when the service stops.
import { afterEach, describe, expect, it } from 'vitest'
import { nodeManagerProtocol, type NodeManagerProtocolInit } from '../../src/node/protocol-service.js'
import { createNodeLibp2p } from '../../src/p2p/libp2p-node.js'
import type { NodeError } from '../../src/protocol/errors.js'
import { MAX_MESSAGE_BYTES } from '../../src/protocol/wire.js'
import { protocolClient, serveProtocol } from '../helpers/protocol-nodes.js'

describe('nodeManagerProtocol', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()))
  })

  const serve = (handle: NodeManagerProtocolInit['handle'], refused?: (peer: string, error: NodeError) => void) =>
    serveProtocol({ handle, ...(refused ? { refused } : {}) }, stops)
  const client = () => protocolClient(stops)

  it('hands each request and its peer to the handler and sends back what it answers', async () => {
    const seen: Array<{ text: string; peer: string }> = []
    const node = await serve((bytes, peer) => {
      seen.push({ text: new TextDecoder().decode(bytes), peer })
      return Promise.resolve({ ok: true, value: `got ${bytes.length} bytes` })
    })
    const transport = await client()
    const address = node.getMultiaddrs()[0]!
    const answer = await transport.exchange(address, new TextEncoder().encode('hello'))
    expect(answer).toEqual({ ok: true, value: 'got 5 bytes' })
    expect(seen).toEqual([{ text: 'hello', peer: transport.node.peerId.toString() }])
    expect(node.services.nodeManager.stats()).toEqual({ reading: 0, handling: 0, frameBytes: 0 })
  })

  it('serves another protocol id when given one, and only that one', async () => {
    const node = await createNodeLibp2p({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      discovery: {},
      services: {
        other: nodeManagerProtocol({
          protocol: '/flotilla/test/1.0.0',
          handle: () => Promise.resolve({ ok: true, value: 'other' }),
        }),
      },
    })
    stops.push(async () => {
      await node.stop()
    })
    const transport = await client()
    const address = node.getMultiaddrs()[0]!
    const hello = new TextEncoder().encode('hello')
    expect(await transport.exchange(address, hello, 10_000, '/flotilla/test/1.0.0')).toEqual({
      ok: true,
      value: 'other',
    })
    await expect(transport.exchange(address, hello, 10_000)).rejects.toMatchObject({ code: 'E_UNREACHABLE' })
  })

  it('refuses a request over the frame limit before the handler sees it, and reports the refusal', async () => {
    let handled = 0
    const refusals: string[] = []
    const node = await serve(
      () => {
        handled++
        return Promise.resolve({ ok: true, value: null })
      },
      (peer, error) => refusals.push(`${peer} ${error.code}`),
    )
    const transport = await client()
    const answer = await transport.exchange(node.getMultiaddrs()[0]!, new Uint8Array(MAX_MESSAGE_BYTES + 1))
    expect(answer).toMatchObject({ ok: false, code: 'E_SIZE' })
    expect(handled).toBe(0)
    expect(refusals).toEqual([`${transport.node.peerId.toString()} E_SIZE`])
  })

  it('serves nothing once the service has stopped, while the libp2p node runs on', async () => {
    const node = await serve(() => Promise.resolve({ ok: true, value: 'served' }))
    const transport = await client()
    const address = node.getMultiaddrs()[0]!
    expect(await transport.exchange(address, new Uint8Array([1]))).toEqual({ ok: true, value: 'served' })
    await node.services.nodeManager.stop()
    await expect(transport.exchange(address, new Uint8Array([1]))).rejects.toMatchObject({ code: 'E_UNREACHABLE' })
    expect(node.status).toBe('started')
  })
})
