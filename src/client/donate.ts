// Donating a running node's vessels to a pool (`flotilla node donate`): the owner gives each vessel to the pool's
// key (ChangeOwner, which clears the owner information), then tells the pool in an Announce signed by its own key;
// the pool checks with the node, writes the donor into the vessels' owner information and offers them. Running it
// again re-sends the Announce (a donation whose Announce was lost).
import type { KeyPair } from '../keys/key-files.js'
import type { AnnounceResult } from '../pool/pool-calls.js'
import { NodeClient } from './node-client.js'
import { PoolClient } from './pool-client.js'
import { ClientTransport } from './transport.js'

export interface DonateResult {
  poolKey: string
  /** vessels given to the pool */
  vessels: string[]
  announce: AnnounceResult
}

/** Gives `vessels` (default every vessel `owner` owns on the node) to the pool at `poolAddress`. */
export async function donateVessels(
  nodeAddress: string,
  poolAddress: string,
  owner: KeyPair,
  options: { vessels?: string[]; transport?: ClientTransport; timeoutMs?: number } = {},
): Promise<DonateResult> {
  const transport = options.transport ?? (await ClientTransport.create())
  try {
    const common = { transport, timeoutMs: options.timeoutMs }
    const pool = await PoolClient.connect(poolAddress, { ...common, identity: owner })
    const node = await NodeClient.connect(nodeAddress, { ...common, identity: owner })
    const { key: poolKey } = await pool.call('PoolInfo', [])
    const summary = await node.getVessels()
    const chosen =
      options.vessels ?? summary.vessels.filter((v) => v.ownerKey === owner.publicKeyText).map((v) => v.name)
    for (const name of chosen) await node.call('ChangeOwner', [name, poolKey])
    const announce = await pool.call('Announce', [summary.addresses.length > 0 ? summary.addresses : [nodeAddress]])
    return { poolKey, vessels: chosen, announce }
  } finally {
    if (options.transport === undefined) await transport.close()
  }
}

/** Tells the pool that the node at `addresses` holds vessels donated to it (`node start` of a donated node). */
export async function announceToPool(
  poolAddress: string,
  addresses: string[],
  signer: KeyPair,
  options: { transport?: ClientTransport; timeoutMs?: number } = {},
): Promise<AnnounceResult> {
  const pool = await PoolClient.connect(poolAddress, { ...options, identity: signer })
  try {
    return await pool.call('Announce', [addresses])
  } finally {
    await pool.close()
  }
}

/** The pool's key, asked of the pool (`node init --pool`). */
export async function poolKeyOf(poolAddress: string, options: { timeoutMs?: number } = {}): Promise<string> {
  const pool = await PoolClient.connect(poolAddress, options)
  try {
    return (await pool.call('PoolInfo', [])).key
  } finally {
    await pool.close()
  }
}
