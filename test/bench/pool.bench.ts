// What a pool costs an experimenter (BENCH=pool): 50 vessels on 10 donated nodes leased in one Acquire, until they are
// usable (the key is a user on every node, and a browse of the key finds all 10 nodes in the DHT), next to the same
// 50 ChangeUsers sent one after another by the owner key straight to the nodes, until the same browse finds them, in
// the same run. Each round uses a fresh experimenter key, so no announce of an earlier round is found. Then the
// pool's request rate: signed List calls from 4 clients at once, and public PoolInfo calls.
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { findNodes } from '../../src/client/browse.js'
import { donateVessels } from '../../src/client/donate.js'
import { generateKeyFiles, type KeyPair } from '../../src/keys/key-files.js'
import { startTestNode, tempDir, type TestNode } from '../node/nm-helpers.js'
import { startPool } from '../pool/pool-helpers.js'
import { fmt, median, table } from './stats.js'

const ROUNDS = 3
const NODES = 10
const PER_NODE = 5
const VESSELS = NODES * PER_NODE
const RATE_MS = 3_000

/** ms from `start` until a browse of the key finds every node. */
async function untilFindable(key: KeyPair, bootstrap: string, start: number): Promise<number> {
  for (;;) {
    const found = await findNodes(key.publicKeyText, { bootstrap: [bootstrap], timeoutMs: 5_000 })
    if (found.length >= NODES) return performance.now() - start
  }
}

/** Calls per second of `call`, from `clients` callers at once for RATE_MS. */
async function rate(clients: number, call: () => Promise<unknown>): Promise<number> {
  let calls = 0
  const end = performance.now() + RATE_MS
  const start = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        await call()
        calls++
      }
    }),
  )
  return calls / ((performance.now() - start) / 1000)
}

export async function poolBench(): Promise<void> {
  const transport = await ClientTransport.create()
  const pool = await startPool({
    transport,
    settings: { baseAllowance: VESSELS, perDonated: 0, leaseMs: 3600_000, allow: null },
    checkIntervalMs: 60_000,
  })
  const nodes: TestNode[] = []
  try {
    // one DHT: every node joins through the first; each announces its vessels' user keys as they change
    for (let i = 0; i < NODES; i++) {
      const bootstrap = nodes.length > 0 ? [nodes[0]!.address] : []
      const node = await startTestNode({
        transport,
        init: { vessels: PER_NODE, donatePercent: 50 },
        node: { discovery: { bootstrap } },
      })
      nodes.push(node)
      await donateVessels(node.address, pool.address, node.keys.owner, { transport })
    }
    const owners = await Promise.all(
      nodes.map((n) => NodeClient.connect(n.address, { identity: pool.pool.key, transport })),
    )
    const keys = tempDir('flotilla-pool-bench-')
    const acquire: number[] = []
    const acquireUsable: number[] = []
    const direct: number[] = []
    const directUsable: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const viaPool = await generateKeyFiles(keys, `pool${round}`)
      let start = performance.now()
      const leases = await (await pool.client(viaPool)).call('Acquire', [VESSELS, false])
      acquire.push(performance.now() - start)
      if (leases.length !== VESSELS) throw new Error(`acquired ${leases.length} of ${VESSELS}`)
      acquireUsable.push(await untilFindable(viaPool, nodes[0]!.address, start))
      await (await pool.client(viaPool)).call('Release', ['all'])

      const byHand = await generateKeyFiles(keys, `direct${round}`)
      start = performance.now()
      for (const owner of owners)
        for (let v = 1; v <= PER_NODE; v++) await owner.call('ChangeUsers', [`v${v}`, [byHand.publicKeyText]])
      direct.push(performance.now() - start)
      directUsable.push(await untilFindable(byHand, nodes[0]!.address, start))
      for (const owner of owners) for (let v = 1; v <= PER_NODE; v++) await owner.call('ChangeUsers', [`v${v}`, []])
    }
    const reader = await generateKeyFiles(keys, 'reader')
    const signed = await Promise.all(Array.from({ length: 4 }, () => pool.client(reader)))
    let next = 0
    const listRate = await rate(4, () => signed[next++ % signed.length]!.call('List', []))
    const open = await pool.client()
    const infoRate = await rate(4, () => open.call('PoolInfo', []))
    table([
      {
        what: `pool Acquire of ${VESSELS} on ${NODES} nodes`,
        'call ms (median)': fmt(median(acquire), 0),
        'until browse finds all (median ms)': fmt(median(acquireUsable), 0),
      },
      {
        what: `${VESSELS} sequential ChangeUsers (baseline)`,
        'call ms (median)': fmt(median(direct), 0),
        'until browse finds all (median ms)': fmt(median(directUsable), 0),
      },
      { what: 'ratio pool / baseline', 'call ms (median)': fmt(median(acquire) / median(direct), 2) },
    ])
    table([
      { what: 'signed List, 4 clients', 'requests/s': fmt(listRate, 0) },
      { what: 'public PoolInfo, 4 clients', 'requests/s': fmt(infoRate, 0) },
    ])
  } finally {
    for (const n of nodes) await n.stop()
    await pool.stop()
    await transport.close()
  }
}
