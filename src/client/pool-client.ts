// A client of a pool (/flotilla/pool/1.0.0): the node protocol's signed requests, with the pool's peer id as their
// destination, over the shared ClientTransport. Failures throw NodeError with the pool's code, or E_UNREACHABLE /
// E_TIMEOUT for transport problems.
//   const pool = await PoolClient.connect('/ip4/127.0.0.1/tcp/1230/p2p/12D3...', { identity })
//   const leases = await pool.call('Acquire', [3, false]); await pool.close()
import type { Multiaddr } from '@multiformats/multiaddr'
import type { KeyPair } from '../keys/key-files.js'
import { NodeError } from '../protocol/errors.js'
import { encodeRequest, type ArgValue, type CborValue, type Request } from '../protocol/messages.js'
import { signRequest } from '../protocol/signing.js'
import { peerIdOf } from '../p2p/addresses.js'
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
import { ClientTransport, DEFAULT_TIMEOUT_MS, parseAddress } from './transport.js'

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
    private readonly transport: ClientTransport,
    private readonly ownsTransport: boolean,
    readonly address: Multiaddr,
    readonly peerId: string,
    private readonly options: PoolConnectOptions,
  ) {}

  /** Dials the pool (E_UNREACHABLE, E_TIMEOUT; E_USAGE for a bad address). */
  static async connect(address: string | Multiaddr, options: PoolConnectOptions = {}): Promise<PoolClient> {
    const addr = parseAddress(address)
    const transport = options.transport ?? (await ClientTransport.create())
    try {
      const remote = await transport.connect(addr, options.timeoutMs)
      const given = peerIdOf(addr)
      if (given !== undefined && given !== remote)
        throw new NodeError('E_UNREACHABLE', `${addr.toString()} answered as ${remote}`)
      const full = given === undefined ? addr.encapsulate(`/p2p/${remote}`) : addr
      return new PoolClient(transport, options.transport === undefined, full, remote, options)
    } catch (err) {
      if (options.transport === undefined) await transport.close()
      throw err
    }
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
    const tier = isPoolCallName(call) ? POOL_CALLS[call].tier : 'signed'
    const identity = this.options.identity
    if (tier === 'public' || identity === undefined) return { call, args }
    return signRequest(identity.privateKey, { call, args, destination: this.peerId })
  }

  /** Sends a prepared request (tests replay or tamper with one). */
  async send(request: Request): Promise<CborValue> {
    const response = await this.transport.exchange(
      this.address,
      encodeRequest(request),
      this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      POOL_PROTOCOL_ID,
    )
    if (!response.ok) throw new NodeError(response.code, response.message)
    return response.value
  }

  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close()
  }
}
