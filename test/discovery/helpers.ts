// Real libp2p nodes on 127.0.0.1 for the discovery tests and benchmarks.
import { waitFor as waitUntil } from '../helpers/wait-for.js'
import {
  keepJoined,
  routingTableSize,
  type DiscoveryNode,
  type DiscoveryOptions,
} from '../../src/p2p/discovery-services.js'
import { createDiscoveryNode } from '../../src/p2p/libp2p-node.js'

/** Short record lifetimes for tests: a withdrawn key is gone after TTL + cleanup (≤ 4 s). */
export const FAST: DiscoveryOptions = { providerTtlMs: 3_000, cleanupMs: 1_000 }

export function dialAddress(node: DiscoveryNode): string {
  const address = node.getMultiaddrs()[0]
  if (address === undefined) throw new Error('the node listens nowhere')
  return address.toString()
}

const stoppers = new WeakMap<DiscoveryNode, () => void>()

/** A listening node on 127.0.0.1 that bootstraps from `bootstrap` (and re-dials it while alone). */
export async function startNode(
  bootstrap: string[],
  options: DiscoveryOptions = FAST,
  extra: Parameters<typeof createDiscoveryNode>[0] = {},
): Promise<DiscoveryNode> {
  const node = await createDiscoveryNode({ ...options, bootstrap, listen: ['/ip4/127.0.0.1/tcp/0'], ...extra })
  if (bootstrap.length > 0) stoppers.set(node, keepJoined(node, bootstrap, 1_000))
  return node
}

/** Node 0 listens; every other node bootstraps from it, started a few at a time (node 0 refuses > 10 pending).
 *  `listening` gets node 0's address as soon as it listens: something else can join while the others do. */
export async function startNetwork(
  count: number,
  options: DiscoveryOptions = FAST,
  listening?: (bootstrap: string[]) => void,
): Promise<DiscoveryNode[]> {
  const nodes = [await startNode([], options)]
  const bootstrap = [dialAddress(nodes[0]!)]
  listening?.(bootstrap)
  for (let i = 1; i < count; i += 5) {
    nodes.push(
      ...(await Promise.all(Array.from({ length: Math.min(5, count - i) }, () => startNode(bootstrap, options)))),
    )
  }
  return nodes
}

/** Polls `check` until it holds (the shared waitFor with the event named first); answers the ms it took. */
export async function waitFor(
  what: string | (() => string),
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<number> {
  const start = Date.now()
  await waitUntil(async () => await check(), what, timeoutMs, everyMs)
  return Date.now() - start
}

/** Waits until every node's routing table holds at least `min` peers. A node still below that after a while gets
 *  its routing table refreshed (a lookup of its own id): on a loaded machine its first lookup may have timed out,
 *  and kad-dht's own refresh comes only minutes later. */
export function waitForTables(nodes: DiscoveryNode[], min: number, timeoutMs = 20_000): Promise<number> {
  const refreshing = new Set<DiscoveryNode>()
  const started = Date.now()
  return waitFor(
    () => `routing tables ≥ ${min} (now ${nodes.map(routingTableSize).join(',')})`,
    () => {
      const behind = nodes.filter((n) => routingTableSize(n) < min)
      if (Date.now() - started > 5_000) {
        for (const n of behind) {
          if (refreshing.has(n)) continue
          refreshing.add(n)
          void n.services.dht
            .refreshRoutingTable({ signal: AbortSignal.timeout(10_000) })
            .catch(() => undefined)
            .finally(() => refreshing.delete(n))
        }
      }
      return behind.length === 0
    },
    timeoutMs,
    200,
  )
}

export async function stopAll(nodes: DiscoveryNode[]): Promise<void> {
  for (const n of nodes) stoppers.get(n)?.()
  await Promise.all(
    nodes.map(async (n) => {
      try {
        await n.stop()
      } catch {
        /* already stopped */
      }
    }),
  )
}
