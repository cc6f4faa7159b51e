// A client of one node manager. Calls are typed by CALL_SIGNATURES and CallResults; non-public calls are signed
// with the identity's key for this node's peer id. Failures throw NodeError with the node's code, or
// E_UNREACHABLE / E_TIMEOUT for transport problems.
//   const c = await NodeClient.connect('/ip4/127.0.0.1/tcp/1224/p2p/12D3...', { identity: await loadKeyPair('keys', 'me') })
//   await c.call('AddFileToVessel', ['v1', 'hello.js', bytes]); await c.close()
import type { Multiaddr } from '@multiformats/multiaddr'
import type { KeyPair } from '../keys/key-files.js'
import type { ArgValue, CborValue, Request } from '../protocol/messages.js'
import type { CallResult, NodeSummary } from '../protocol/results.js'
import { CALL_SIGNATURES, isCallName, type CallArgs, type CallName } from '../protocol/validate.js'
import { dialPeer, prepareRequest, sendRequest, type Peer } from './signed-calls.js'
import { ClientTransport } from './transport.js'

export interface ConnectOptions {
  /** signs user and owner calls; without it they go unsigned (and the node refuses them) */
  identity?: KeyPair
  /** per call, default 15 s */
  timeoutMs?: number
  /** a shared transport; by default the client makes its own and closes it with close() */
  transport?: ClientTransport
}

export interface CallOptions {
  timeoutMs?: number
  /** request lifetime for the signature (default 10 min) */
  lifetimeMs?: number
}

export class NodeClient {
  private constructor(
    private readonly peer: Peer,
    private readonly options: ConnectOptions,
  ) {}

  /** Dials the node (E_UNREACHABLE, E_TIMEOUT, E_USAGE for a bad address). */
  static async connect(address: string | Multiaddr, options: ConnectOptions = {}): Promise<NodeClient> {
    return new NodeClient(await dialPeer(address, options), options)
  }

  /** the node's address, with /p2p/<peerId> */
  get address(): Multiaddr {
    return this.peer.address
  }

  get peerId(): string {
    return this.peer.peerId
  }

  /** A typed call: the result type follows the call. */
  async call<C extends CallName>(call: C, args: CallArgs<C>, options: CallOptions = {}): Promise<CallResult<C>> {
    return (await this.callRaw(call, args, options)) as CallResult<C>
  }

  /** Any call name and arguments, unchecked (the node validates them): for tools and tests. */
  async callRaw(call: string, args: ArgValue[], options: CallOptions = {}): Promise<CborValue> {
    return this.send(this.request(call, args, options), options)
  }

  /** The request as it would be sent (signed if the call is not public and there is an identity). */
  request(call: string, args: ArgValue[], options: CallOptions = {}): Request {
    const isPublic = isCallName(call) && CALL_SIGNATURES[call].tier === 'public'
    return prepareRequest(this.peer, call, args, {
      public: isPublic,
      identity: this.options.identity,
      lifetimeMs: options.lifetimeMs,
    })
  }

  /** Sends a prepared request (tests use this to replay or tamper). */
  send(request: Request, options: CallOptions = {}): Promise<CborValue> {
    return sendRequest(this.peer, request, options.timeoutMs ?? this.options.timeoutMs)
  }

  getVessels(options: CallOptions = {}): Promise<NodeSummary> {
    return this.call('GetVessels', [], options)
  }

  async close(): Promise<void> {
    if (this.peer.ownsTransport) await this.peer.transport.close()
  }
}

export { ClientTransport }
