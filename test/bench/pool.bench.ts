// What a pool costs an acquire: 20 vessels on 4 donated nodes leased in one Acquire (the pool checks the allowance,
// records its intents, calls ChangeUsers on the nodes in parallel and records the leases), next to the same 20
// ChangeUsers sent one after another by the owner key straight to the nodes, in the same run. Medians of 5 rounds.
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { tempDir, type TestNode } from '../node/nm-helpers.js'
import { donatedNode, startPool } from '../pool/pool-helpers.js'
import { fmt, median, table } from './stats.js'

const ROUNDS = 5
const NODES = 4
const PER_NODE = 5

export async function poolBench(): Promise<void> {
  const transport = await ClientTransport.create()
  const pool = await startPool({
    transport,
    settings: { baseAllowance: NODES * PER_NODE, perDonated: 0, leaseMs: 3600_000, allow: null },
    checkIntervalMs: 60_000,
  })
  const nodes: TestNode[] = []
  try {
    for (let i = 0; i < NODES; i++) nodes.push(await donatedNode(pool, transport, PER_NODE))
    const alice = await generateKeyFiles(tempDir('flotilla-pool-bench-'), 'alice')
    const client = await pool.client(alice)
    const owners = await Promise.all(
      nodes.map((n) => NodeClient.connect(n.address, { identity: pool.pool.key, transport })),
    )
    const viaPool: number[] = []
    const direct: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now()
      const leases = await client.call('Acquire', [NODES * PER_NODE, false])
      viaPool.push(performance.now() - t)
      if (leases.length !== NODES * PER_NODE) throw new Error(`acquired ${leases.length}`)
      await client.call('Release', ['all'])
      t = performance.now()
      for (const owner of owners)
        for (let v = 1; v <= PER_NODE; v++) await owner.call('ChangeUsers', [`v${v}`, [alice.publicKeyText]])
      direct.push(performance.now() - t)
      for (const owner of owners) for (let v = 1; v <= PER_NODE; v++) await owner.call('ChangeUsers', [`v${v}`, []])
    }
    table([
      { what: `pool Acquire of ${NODES * PER_NODE} on ${NODES} nodes`, 'median ms': fmt(median(viaPool), 1) },
      { what: `${NODES * PER_NODE} sequential ChangeUsers (baseline)`, 'median ms': fmt(median(direct), 1) },
    ])
  } finally {
    for (const n of nodes) await n.stop()
    await pool.stop()
    await transport.close()
  }
}
