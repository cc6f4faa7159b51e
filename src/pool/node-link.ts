// How the pool talks to the nodes it holds vessels of: a NodeClient signed with the pool's key (the vessels'
// owner), over one shared client transport, trying each known address of the node in turn.
import { ClientTransport, NodeClient } from '../client/node-client.js'
import type { KeyPair } from '../keys/key-files.js'
import { NodeError } from '../protocol/errors.js'

/** How long the pool waits for one node call. */
const NODE_TIMEOUT_MS = 15_000

export class NodeLink {
  private constructor(
    private readonly transport: ClientTransport,
    private readonly identity: KeyPair,
  ) {}

  static async open(identity: KeyPair): Promise<NodeLink> {
    return new NodeLink(await ClientTransport.create(), identity)
  }

  /** Runs `fn` with a client of the node at the first of `addresses` that answers (E_UNREACHABLE if none). A node
   *  that answers as another peer id than `peerId` is refused (E_NOT_DONATED). */
  async with<T>(
    addresses: readonly string[],
    peerId: string | null,
    fn: (client: NodeClient) => Promise<T>,
  ): Promise<T> {
    let last: unknown = new NodeError('E_UNREACHABLE', 'the node has no address')
    for (const address of addresses) {
      let client: NodeClient
      try {
        client = await NodeClient.connect(address, {
          identity: this.identity,
          transport: this.transport,
          timeoutMs: NODE_TIMEOUT_MS,
        })
      } catch (err) {
        last = err
        continue
      }
      if (peerId !== null && client.peerId !== peerId)
        throw new NodeError('E_NOT_DONATED', `${address} answered as ${client.peerId}, not ${peerId}`)
      return fn(client)
    }
    throw last
  }

  close(): Promise<void> {
    return this.transport.close()
  }
}

/** Whether a failure says the node could not be reached (rather than an answer of the node). */
export const isUnreachable = (err: unknown): boolean =>
  err instanceof NodeError && (err.code === 'E_UNREACHABLE' || err.code === 'E_TIMEOUT')

/** One line for a failure, for the pool's records and answers. */
export const failureText = (err: unknown): string =>
  err instanceof NodeError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err)
