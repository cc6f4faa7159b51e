// A testbed in a Netlab (lab.ts): node managers on every host, the first public one the bootstrap and relay of the
// others, all set up with the same owner key; and what the client does with them (browse, deploy, read the logs).
// Shared by `npm run netlab` (scripts/netlab.ts) and BENCH=nat (test/bench/nat.bench.ts).
//   const bed = await startTestbed(lab)   ...   const found = await browse(lab, bed)
import { join } from 'node:path'
import type { BrowseResult } from '../../src/cli/browse.js'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import type { DeployReport } from '../../src/shell/deploy.js'
import type { LabHost, LabNode, Netlab } from './lab.js'

export interface Testbed {
  /** the experimenter's keys folder; its key `exp` owns every node's vessel */
  keysDir: string
  /** the bootstrap and relay (the first public host) */
  relay: LabNode
  /** every node, the relay first */
  nodes: LabNode[]
  /** from the first start until every NATed node was reachable through a relay */
  readyMs: number
}

type Found = BrowseResult['nodes']

/** Starts a node on every host (4 at a time) and waits until each NATed one is reachable through the relay (throws
 *  after `readyTimeoutMs`). */
export async function startTestbed(lab: Netlab, readyTimeoutMs = 300_000): Promise<Testbed> {
  const keysDir = join(lab.dir, 'keys')
  await generateKeyFiles(keysDir, 'exp')
  const owner = join(keysDir, 'exp.privatekey')
  const start = (name: string, host: LabHost, bootstrap: string[]): Promise<LabNode> =>
    lab.startNode(host, { name, keysDir: join(lab.dir, `${name}-keys`), owner, bootstrap })
  const t0 = performance.now()
  const relay = await start('n0', lab.publicHosts[0]!, [])
  const hosts = [...lab.publicHosts.slice(1), ...lab.homes]
  const nodes: LabNode[] = [relay]
  for (let i = 0; i < hosts.length; i += 4)
    nodes.push(...(await Promise.all(hosts.slice(i, i + 4).map((h, j) => start(`n${1 + i + j}`, h, [relay.address])))))
  const behind = nodes.filter((n) => n.host.nat !== null)
  for (;;) {
    const states = await Promise.all(behind.map((n) => lab.status(n)))
    if (states.every((s) => s?.reachability?.how === 'relay')) break
    if (performance.now() - t0 > readyTimeoutMs)
      throw new Error(`NATed nodes not reachable through a relay in ${readyTimeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 500))
  }
  return { keysDir, relay, nodes, readyMs: performance.now() - t0 }
}

/** One `flotilla browse --json` from the client: the nodes that answered, and its wall time. */
export async function browse(lab: Netlab, bed: Testbed): Promise<{ nodes: Found; ms: number }> {
  const args = ['browse', '--key', 'exp', '--keys', bed.keysDir, '--bootstrap', bed.relay.address, '--json']
  const t = performance.now()
  const r = await lab.flotilla(lab.client, [...args, '--timeout', '15'])
  const ms = performance.now() - t
  return { nodes: r.stdout.startsWith('{') ? (JSON.parse(r.stdout) as BrowseResult).nodes : [], ms }
}

/** Browses until one browse finds every node (the DHT needs a moment after the last announce) or `timeoutMs`
 *  passed; answers the last result. */
export async function browseUntilComplete(lab: Netlab, bed: Testbed, timeoutMs = 120_000): Promise<Found> {
  const t0 = performance.now()
  for (;;) {
    const { nodes } = await browse(lab, bed)
    if (nodes.length === bed.nodes.length || performance.now() - t0 > timeoutMs) return nodes
  }
}

/** Deploys `program` to v1 of every node at `addresses`; answers the report (undefined if deploy printed none). */
export async function deployAll(
  lab: Netlab,
  bed: Testbed,
  addresses: readonly string[],
  program: string,
): Promise<{ report: DeployReport | undefined; ms: number }> {
  const t = performance.now()
  const r = await lab.deploy(addresses, program, 'exp', bed.keysDir)
  const ms = performance.now() - t
  return { report: r.stdout.startsWith('{') ? (JSON.parse(r.stdout) as DeployReport) : undefined, ms }
}

/** Reads v1's log at each address (ReadVesselLog) until it holds `text` or `timeoutMs` passed; answers how many do. */
export async function logsHolding(
  lab: Netlab,
  bed: Testbed,
  addresses: readonly string[],
  text: string,
  timeoutMs = 60_000,
): Promise<number> {
  const holds = await Promise.all(
    addresses.map(async (address) => {
      const read = ['node', 'call', address, 'ReadVesselLog', 'v1', '--key', 'exp', '--keys', bed.keysDir]
      const t0 = performance.now()
      for (;;) {
        if ((await lab.flotilla(lab.client, read, 30_000)).stdout.includes(text)) return true
        if (performance.now() - t0 > timeoutMs) return false
        await new Promise((r) => setTimeout(r, 500))
      }
    }),
  )
  return holds.filter(Boolean).length
}
