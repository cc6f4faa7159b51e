// Helpers for the pool tests: a real pool (PoolManager, LevelDB in a temp folder, libp2p on 127.0.0.1), real node
// managers whose vessels are donated to it the way `flotilla node donate` does, and experimenter keys.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { ClientTransport } from '../../src/client/node-client.js'
import { PoolClient } from '../../src/client/pool-client.js'
import { donateVessels } from '../../src/client/donate.js'
import { generateKeyFiles, type KeyPair } from '../../src/keys/key-files.js'
import type { PoolSettings } from '../../src/pool/pool-calls.js'
import { PoolManager, type PoolManagerOptions } from '../../src/pool/pool-manager.js'
import { startTestNode, tempDir, type TestNode } from '../node/nm-helpers.js'

export interface TestPool {
  pool: PoolManager
  dir: string
  address: string
  /** a client signed by `identity` (unsigned without) */
  client(identity?: KeyPair): Promise<PoolClient>
  stop(): Promise<void>
}

/** Settings with round numbers for the arithmetic: 2 vessels for anyone, 1 more per donated vessel, 1 h leases. */
export const TEST_SETTINGS: PoolSettings = { baseAllowance: 2, perDonated: 1, leaseMs: 3600_000, allow: null }

export async function startPool(
  options: Partial<PoolManagerOptions> & { transport: ClientTransport },
): Promise<TestPool> {
  const dir = options.dataDir === undefined ? tempDir('flotilla-pool-') : undefined
  const dataDir = options.dataDir ?? join(dir!, 'pool')
  const pool = await PoolManager.start({
    keysDir: join(dataDir, '..', 'keys'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    settings: TEST_SETTINGS,
    // the tests run the timer's rounds themselves (pool.tick()) or wait for them with a short interval
    checkIntervalMs: 1_000,
    ...options,
    dataDir,
  })
  const address = pool.addresses[0]!
  return {
    pool,
    dir: dir ?? dataDir,
    address,
    client: (identity) => PoolClient.connect(address, { identity, transport: options.transport }),
    async stop() {
      await pool.stop()
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A node manager with `vessels` vessels, all donated to the pool by its owner key (the donor). */
export async function donatedNode(pool: TestPool, transport: ClientTransport, vessels = 3): Promise<TestNode> {
  const node = await startTestNode({ transport, init: { vessels, donatePercent: 20 } })
  await donateVessels(node.address, pool.address, node.keys.owner, { transport })
  return node
}

export async function experimenters(dir: string): Promise<{ alice: KeyPair; bob: KeyPair }> {
  const [alice, bob] = await Promise.all([generateKeyFiles(dir, 'alice'), generateKeyFiles(dir, 'bob')])
  return { alice: alice, bob: bob }
}

/** The user keys of every vessel of the node, by vessel name, as the node sees them. */
export async function usersOn(node: TestNode): Promise<Record<string, string[]>> {
  const summary = await (await node.client('none')).getVessels()
  return Object.fromEntries(summary.vessels.map((v) => [v.name, v.userKeys]))
}
