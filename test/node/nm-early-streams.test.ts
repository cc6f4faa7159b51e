// Streams a client opens on a connection before the node manager has finished setting that connection up: a client
// that fans out requests to a node it is not yet connected to dials once, and all its streams follow the end of its
// handshake at once, while the node may still be upgrading its side. The node must take them (up to its per-connection
// stream limit), not reset the whole connection.
import { afterEach, describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { ClientTransport } from '../../src/client/transport.js'
import { encodeRequest } from '../../src/protocol/messages.js'
import { startTestNode, type TestNode } from './nm-helpers.js'

/** More than libp2p's default of 10 streams a muxer holds before its connection is set up (plus identify's). */
const AT_ONCE = 40
/** Fresh connections tried: each is a new chance for the streams to arrive before the node's side is ready. */
const ROUNDS = 8

describe('streams opened as a connection comes up', () => {
  let node: TestNode | undefined
  const transports: ClientTransport[] = []
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()))
    await node?.stop()
    node = undefined
  })

  it(`${AT_ONCE} concurrent requests over a new connection are all answered`, async () => {
    node = await startTestNode()
    const address = multiaddr(node.address)
    const request = encodeRequest({ call: 'GetOffcutResources', args: [] })
    for (let round = 0; round < ROUNDS; round++) {
      // a fresh client each round: no connection yet, so the requests share the one dial and open their streams
      // together as soon as it is up
      const transport = await ClientTransport.create()
      transports.push(transport)
      const outcomes = await Promise.all(
        Array.from({ length: AT_ONCE }, () =>
          transport.exchange(address, request).then(
            (r) => (r.ok ? 'ok' : `refused ${r.code}`),
            (err: unknown) => `failed: ${err instanceof Error ? err.message : String(err)}`,
          ),
        ),
      )
      expect({ round, outcomes }).toEqual({ round, outcomes: outcomes.map(() => 'ok') })
    }
  })
})
