// The engine's Connector backed by the real node-manager client: one shared libp2p client node (ClientTransport)
// for every connection, and one NodeClient per node and identity, opened on first use.
import { ClientTransport, NodeClient } from '../client/node-client.js'
import type { KeyPair } from '../keys/key-files.js'
import type { Connector, NodeConnection } from './types.js'

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

  async close(): Promise<void> {
    this.clients.clear()
    const transport = this.transport
    this.transport = null
    if (transport) await (await transport).close().catch(() => undefined)
  }
}
