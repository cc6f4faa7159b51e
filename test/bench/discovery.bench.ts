// Discovery benchmarks (issue: nodes advertise their vessels' keys in the DHT; browse finds them), on 10 and 50
// DHT nodes in one process bootstrapped via node 0, plus a client-mode browse node:
// - join: time until every routing table holds ≥ 2 peers;
// - setKeys → browsable: from Advertiser.setKeys (the ChangeUsers moment) until a browse finds the node;
// - announce: how long setKeys took (the provide query and ADD_PROVIDER to the closest peers);
// - browse latency to the first provider (limit 1) and for the whole lookup, p50/p95;
// - the event-loop delay of the process meanwhile (all nodes share one loop on a 2-core machine);
// - a key served by many nodes (BENCH_SHARED, default 30, at most all but node 0): a whole `lookUp` from a fresh
//   browse node as `flotilla browse` runs it (K = 4096, two lookups), p50/p95 and how many runs found every server,
//   next to the same with kad-dht's K = 20 and one lookup (the browse before) as the baseline in the same run.
//   node --import tsx -e "const m = await import('./test/bench/discovery.bench.ts'); await m.discoveryBench(); process.exit(0)"
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { browseKey, createBrowseNode, lookUp } from '../../src/client/browse.js'
import { Advertiser } from '../../src/p2p/advertiser.js'
import { dialAddress, startNetwork, stopAll, waitForTables } from '../discovery/helpers.js'
import { fmt, percentile, table } from './stats.js'

const SIZES = (process.env.BENCH_NODES ?? '10,50').split(',').map(Number)
const KEYS = Number(process.env.BENCH_KEYS ?? 10)
const BROWSES = Number(process.env.BENCH_BROWSES ?? 30)
/** quiet time after the routing tables filled, before measuring (the join storm of self-queries) */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5_000)
/** how long the nodes may take to join (a loaded 2-core machine needed more than 120 s for 30 nodes) */
const JOIN_TIMEOUT_MS = Number(process.env.BENCH_JOIN_TIMEOUT_S ?? 300) * 1000
const SHARED = Number(process.env.BENCH_SHARED ?? 30)
const SHARED_BROWSES = Number(process.env.BENCH_SHARED_BROWSES ?? 10)

/** Whole lookups of a key served by `servers` nodes from fresh browse nodes: ms of each, and how many found all. */
async function sharedLookups(
  key: string,
  servers: number,
  bootstrap: string,
  variant: { kBucketSize?: number; passes?: number },
): Promise<{ ms: number[]; complete: number }> {
  const ms: number[] = []
  let complete = 0
  for (let i = 0; i < SHARED_BROWSES; i++) {
    const t = performance.now()
    const lookup = await lookUp(key, { bootstrap: [bootstrap], timeoutMs: 20_000, ...variant })
    ms.push(performance.now() - t)
    await lookup.stop()
    if (lookup.found.length === servers) complete++
  }
  return { ms, complete }
}

async function benchSize(count: number): Promise<Record<string, string | number>> {
  const t0 = performance.now()
  // records outlive the run (the advertisers here do not refresh): only announce and lookup are measured
  const nodes = await startNetwork(count, { providerTtlMs: 600_000, cleanupMs: 60_000 })
  const browser = await createBrowseNode({ bootstrap: [dialAddress(nodes[0]!)] })
  const advertisers: Advertiser[] = []
  try {
    await waitForTables(nodes, 2, JOIN_TIMEOUT_MS)
    const joinMs = performance.now() - t0
    await new Promise((r) => setTimeout(r, SETTLE_MS))
    // all nodes share one event loop: its delay says how much of a latency is this process's own load
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    const visible: number[] = []
    const announce: number[] = []
    const keys: string[] = []
    for (let i = 0; i < KEYS; i++) {
      const key = `ed25519-pub bench-${count}-${i}`
      const owner = nodes[1 + ((i * 7) % (count - 1))]!
      const advertiser = new Advertiser(owner, { refreshMs: 60_000 })
      advertisers.push(advertiser)
      const start = performance.now()
      const announced = advertiser.setKeys([key]).then(() => announce.push(performance.now() - start))
      for (;;) {
        const found = await browseKey(browser, key, { timeoutMs: 2_000, limit: 1 })
        if (found.some((f) => f.peerId === owner.peerId.toString())) break
        if (performance.now() - start > 60_000) throw new Error(`key ${i} not browsable after 60 s`)
        await new Promise((r) => setTimeout(r, 20))
      }
      visible.push(performance.now() - start)
      await announced
      keys.push(key)
    }
    const first: number[] = []
    const whole: number[] = []
    for (let i = 0; i < BROWSES; i++) {
      const key = keys[i % keys.length]!
      let t = performance.now()
      if ((await browseKey(browser, key, { timeoutMs: 10_000, limit: 1 })).length === 1)
        first.push(performance.now() - t)
      t = performance.now()
      if ((await browseKey(browser, key, { timeoutMs: 10_000 })).length === 1) whole.push(performance.now() - t)
    }
    // one key served by many nodes, announced once (records outlive the run)
    const servers = Math.min(SHARED, count - 1)
    const shared = `ed25519-pub bench-${count}-shared`
    const sharing = nodes.slice(1, 1 + servers).map((n) => new Advertiser(n, { refreshMs: 600_000, retryMs: 1_000 }))
    advertisers.push(...sharing)
    await Promise.all(sharing.map((a) => a.setKeys([shared])))
    for (const a of sharing) {
      while (a.status()[0]?.error !== null) await new Promise((r) => setTimeout(r, 200))
    }
    const bootstrap = dialAddress(nodes[0]!)
    const now = await sharedLookups(shared, servers, bootstrap, {})
    const before = await sharedLookups(shared, servers, bootstrap, { kBucketSize: 20, passes: 1 })
    const sharedRow = (r: { ms: number[]; complete: number }): string =>
      `${fmt(percentile(r.ms, 50), 0)} / ${fmt(percentile(r.ms, 95), 0)} (${r.complete}/${SHARED_BROWSES} all)`
    return {
      nodes: count,
      [`shared key (${servers}) lookUp p50/p95 ms`]: sharedRow(now),
      'same, K=20 1 lookup (before)': sharedRow(before),
      'join s': fmt(joinMs / 1000, 1),
      'setKeys→browsable p50/p95 ms': `${fmt(percentile(visible, 50), 0)} / ${fmt(percentile(visible, 95), 0)}`,
      'announce p50/p95 ms': `${fmt(percentile(announce, 50), 0)} / ${fmt(percentile(announce, 95), 0)}`,
      'browse first p50/p95 ms': `${fmt(percentile(first, 50), 1)} / ${fmt(percentile(first, 95), 1)}`,
      'browse whole p50/p95 ms': `${fmt(percentile(whole, 50), 1)} / ${fmt(percentile(whole, 95), 1)}`,
      'found/asked': `${first.length + whole.length}/${2 * BROWSES}`,
      'loop delay p50/p99 ms': `${fmt(lag.percentile(50) / 1e6, 0)} / ${fmt(lag.percentile(99) / 1e6, 0)}`,
    }
  } finally {
    await Promise.all(advertisers.map((a) => a.stop()))
    await stopAll([browser, ...nodes])
  }
}

export async function discoveryBench(): Promise<void> {
  const rows: Array<Record<string, string | number>> = []
  for (const count of SIZES) rows.push(await benchSize(count))
  table(rows)
}
