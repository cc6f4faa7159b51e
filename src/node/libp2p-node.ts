// The libp2p node of a node manager or a client: TCP, Noise, yamux, identify. The shim comes first.
import './promise-shim.js'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import type { Ed25519PrivateKey, Libp2p } from '@libp2p/interface'
import { createLibp2p } from 'libp2p'
import { NodeError } from '../protocol/errors.js'

export const DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/1224'
/** Streams of one protocol on one connection; the shell fans out 100s of requests over one connection. */
export const MAX_PROTOCOL_STREAMS = 1024

export interface Libp2pOptions {
  /** The node's identity; a client without one gets a fresh key. */
  privateKey?: Ed25519PrivateKey
  /** Multiaddrs to listen on; none for a client. */
  listen?: string[]
}

/** Creates and starts a libp2p node. A listen address in use gives E_USAGE with a hint. */
export async function createNodeLibp2p(options: Libp2pOptions = {}): Promise<Libp2p> {
  const listen = options.listen ?? []
  try {
    return await createLibp2p({
      ...(options.privateKey ? { privateKey: options.privateKey } : {}),
      addresses: { listen },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // Every local node is 127.0.0.x: without this the 6th dial within a second from one IP is refused.
      connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
      services: { identify: identify() },
    })
  } catch (err) {
    const text = String((err as Error)?.message ?? err)
    if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(text)) {
      throw new NodeError('E_USAGE',
        `cannot listen on ${listen.join(', ')}: the address is in use (another node running?). ` +
        `Pick another port with --listen, e.g. --listen /ip4/127.0.0.1/tcp/0 for any free port`)
    }
    throw err
  }
}
