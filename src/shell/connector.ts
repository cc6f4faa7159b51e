// The engine's Connector backed by the real node-manager client: one shared libp2p client node (ClientTransport)
// for every connection, and one NodeClient per node and identity, opened on first use; browse lookups in the DHT.
import { contactAddresses, findNodes } from '../client/browse.js'
import { ClientTransport, NodeClient } from '../client/node-client.js'
import type { KeyPair } from '../keys/key-files.js'
import type { Connector, DiscoverOptions, NodeConnection } from './types.js'

export class ClientConnector implements Connector {
  private transport: Promise<ClientTransport> | null = null
  private readonly clients = new Map<string, Promise<NodeClient>>()

  private key(address: string, identity: KeyPair | undefined): string {
    return `${identity?.publicKeyText ?? '-'} ${address}`
  }

  private shared(): Promise<ClientTransport> {
    this.transport ??= ClientTransport.create()
    return this.transport
  }

  async connect(address: string, identity: KeyPair | undefined, timeoutMs: number): Promise<NodeConnection> {
    const key = this.key(address, identity)
    let client = this.clients.get(key)
    if (!client) {
      client = this.shared().then((transport) => NodeClient.connect(address, { identity, timeoutMs, transport }))
      this.clients.set(key, client)
      client.catch(() => this.clients.delete(key))
    }
    const c = await client
    return { call: (call, args, options) => c.call(call, args, { timeoutMs: options?.timeoutMs ?? timeoutMs }) }
  }

  drop(address: string, identity: KeyPair | undefined): void {
    this.clients.delete(this.key(address, identity))
  }

  /** A DHT lookup from a short-lived browse node of its own (the shared transport stays a plain client). */
  async discover(keyText: string, options: DiscoverOptions): Promise<string[]> {
    return contactAddresses(await findNodes(keyText, options))
  }

  async close(): Promise<void> {
    this.clients.clear()
    const transport = this.transport
    this.transport = null
    if (transport) await (await transport).close().catch(() => undefined)
  }
}
