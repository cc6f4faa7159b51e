// A libp2p node that serves only the node-manager protocol, and a client transport, both stopped by the test's
// `stops` (the protocol tests' afterEach runs them).
import type { Libp2p } from '@libp2p/interface'
import { ClientTransport } from '../../src/client/transport.js'
import {
  nodeManagerProtocol,
  type NodeManagerProtocol,
  type NodeManagerProtocolInit,
} from '../../src/node/protocol-service.js'
import { createNodeLibp2p } from '../../src/p2p/libp2p-node.js'

type Stops = Array<() => Promise<void>>

export async function serveProtocol(
  init: NodeManagerProtocolInit,
  stops: Stops,
): Promise<Libp2p<{ nodeManager: NodeManagerProtocol }>> {
  const node = await createNodeLibp2p({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    discovery: {},
    services: { nodeManager: nodeManagerProtocol(init) },
  })
  stops.push(async () => {
    await node.stop()
  })
  return node
}

export async function protocolClient(stops: Stops): Promise<ClientTransport> {
  const transport = await ClientTransport.create()
  stops.push(() => transport.close())
  return transport
}
