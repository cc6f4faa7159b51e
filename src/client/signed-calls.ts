// What a client of any of our protocols does alike (the node manager's, a pool's): dial the peer and check that it
// answers as the peer id its address names, sign a request for that peer unless the call is public, and send it.
import type { Multiaddr } from '@multiformats/multiaddr'
import type { KeyPair } from '../keys/key-files.js'
import { NodeError } from '../protocol/errors.js'
import { encodeRequest, PROTOCOL_ID, type ArgValue, type CborValue, type Request } from '../protocol/messages.js'
import { signRequest } from '../protocol/signing.js'
import { peerIdOf } from '../p2p/addresses.js'
import { ClientTransport, DEFAULT_TIMEOUT_MS, parseAddress } from './transport.js'

/** A dialed peer: its full address (with /p2p/<peerId>) and the transport that reaches it. */
export interface Peer {
  transport: ClientTransport
  /** the transport was made for this peer, and closes with it */
  ownsTransport: boolean
  address: Multiaddr
  peerId: string
}

/** Dials the peer (E_UNREACHABLE, E_TIMEOUT; E_USAGE for a bad address). A transport made here is closed on failure. */
export async function dialPeer(
  address: string | Multiaddr,
  options: { transport?: ClientTransport; timeoutMs?: number },
): Promise<Peer> {
  const addr = parseAddress(address)
  const transport = options.transport ?? (await ClientTransport.create())
  try {
    const remote = await transport.connect(addr, options.timeoutMs)
    const given = peerIdOf(addr)
    if (given !== undefined && given !== remote)
      throw new NodeError('E_UNREACHABLE', `${addr.toString()} answered as ${remote}`)
    const full = given === undefined ? addr.encapsulate(`/p2p/${remote}`) : addr
    return { transport, ownsTransport: options.transport === undefined, address: full, peerId: remote }
  } catch (err) {
    if (options.transport === undefined) await transport.close()
    throw err
  }
}

/** The request as it would be sent: signed for the peer unless the call is public or there is no identity. */
export function prepareRequest(
  peer: Peer,
  call: string,
  args: ArgValue[],
  signed: { public: boolean; identity: KeyPair | undefined; lifetimeMs?: number },
): Request {
  if (signed.public || signed.identity === undefined) return { call, args }
  return signRequest(signed.identity.privateKey, {
    call,
    args,
    destination: peer.peerId,
    lifetimeMs: signed.lifetimeMs,
  })
}

/** Sends a prepared request and answers its value; a refusal throws NodeError with the peer's code and message. */
export async function sendRequest(
  peer: Peer,
  request: Request,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  protocol = PROTOCOL_ID,
): Promise<CborValue> {
  const response = await peer.transport.exchange(peer.address, encodeRequest(request), timeoutMs, protocol)
  if (!response.ok) throw new NodeError(response.code, response.message)
  return response.value
}
