// A client of a pool (/flotilla/pool/1.0.0): the node protocol's signed requests, with the pool's peer id as their
// destination, over the shared ClientTransport. Failures throw NodeError with the pool's code, or E_UNREACHABLE /
// E_TIMEOUT for transport problems.
//   const pool = await PoolClient.connect('/ip4/127.0.0.1/tcp/1230/p2p/12D3...', { identity })
//   const leases = await pool.call('Acquire', [3, false]); await pool.close()
import type { Multiaddr } from '@multiformats/multiaddr'
import type { KeyPair } from '../keys/key-files.js'
import type { ArgValue, CborValue, Request } from '../protocol/messages.js'
import {
  POOL_CALLS,
  POOL_PROTOCOL_ID,
  isPoolCallName,
  type AnnounceResult,
  type DonorStatus,
  type Lease,
  type PoolCallArgs,
  type PoolCallName,
  type PoolInfo,
} from '../pool/pool-calls.js'
import { dialPeer, prepareRequest, sendRequest, type Peer } from './signed-calls.js'
import type { ClientTransport } from './transport.js'

/** What each pool call answers. */
export interface PoolResults {
  PoolInfo: PoolInfo
  Acquire: Lease[]
  List: Lease[]
  Renew: Lease[]
  Release: { released: string[]; pending: string[] }
  Status: DonorStatus
  Announce: AnnounceResult
}

export interface PoolConnectOptions {
  /** signs the calls that need it */
  identity?: KeyPair
  /** per call, default 15 s */
  timeoutMs?: number
  transport?: ClientTransport
}

export class PoolClient {
  private constructor(
    private readonly peer: Peer,
    private readonly options: PoolConnectOptions,
  ) {}

  /** Dials the pool (E_UNREACHABLE, E_TIMEOUT; E_USAGE for a bad address). */
  static async connect(address: string | Multiaddr, options: PoolConnectOptions = {}): Promise<PoolClient> {
    return new PoolClient(await dialPeer(address, options), options)
  }

  get address(): Multiaddr {
    return this.peer.address
  }

  get peerId(): string {
    return this.peer.peerId
  }

  async call<C extends PoolCallName>(call: C, args: PoolCallArgs<C>): Promise<PoolResults[C]> {
    return (await this.callRaw(call, args)) as unknown as PoolResults[C]
  }

  /** Any call name and arguments, unchecked (the pool validates them): for tests. */
  callRaw(call: string, args: ArgValue[]): Promise<CborValue> {
    return this.send(this.request(call, args))
  }

  /** The request as it would be sent (signed unless the call is public or there is no identity). */
  request(call: string, args: ArgValue[]): Request {
    const isPublic = isPoolCallName(call) && POOL_CALLS[call].tier === 'public'
    return prepareRequest(this.peer, call, args, { public: isPublic, identity: this.options.identity })
  }

  /** Sends a prepared request (tests replay or tamper with one). */
  send(request: Request): Promise<CborValue> {
    return sendRequest(this.peer, request, this.options.timeoutMs, POOL_PROTOCOL_ID)
  }

  async close(): Promise<void> {
    if (this.peer.ownsTransport) await this.peer.transport.close()
  }
}
