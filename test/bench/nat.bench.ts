// Nodes behind NAT on a simulated internet (test/p2p/netlab.ts; root, network namespaces): BENCH_NODES node managers
// (default 8, one of them the public bootstrap/relay), BENCH_NAT of them behind NATs (default 6, alternately
// port-preserving and symmetric), and a client on the internet running the CLI. The same run with 0 NATed nodes is
// the baseline. Figures: time until every NATed node is reachable through a relay, browse wall time p50/p95 (every
// node found and answering?), deploy to every vessel (wall time, started), the share of nodes the client reached at
// a direct address, and the bytes through the relay's (the bootstrap's) link during browse + deploy.
// Where `tc netem` works, 40 ms ± 10 ms one way and 0.5 % loss on every link of the internet; it is reported when not.
//   sudo BENCH=nat npm run bench        BENCH_NODES=30 BENCH_NAT=20 BENCH_BROWSES=10 for the size
import { join } from 'node:path'
import type { BrowseResult } from '../../src/cli/browse.js'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import type { DeployReport } from '../../src/shell/deploy.js'
import { Netlab, netemUnavailable, netlabUnavailable, type LabNode, type NatKind } from '../p2p/netlab.js'
import { fmt, median, percentile, table } from './stats.js'

const NODES = Number(process.env.BENCH_NODES ?? 8)
const NAT = Number(process.env.BENCH_NAT ?? 6)
const BROWSES = Number(process.env.BENCH_BROWSES ?? 5)
const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 3)

async function scenario(natted: number): Promise<Record<string, string | number>> {
  const homes: NatKind[] = Array.from({ length: natted }, (_, k) => (k % 2 === 0 ? 'cone' : 'symmetric'))
  const lab = Netlab.create({ publicHosts: NODES - natted, homes })
  try {
    const netem = netemUnavailable(lab.inet)
    if (netem === null) lab.addNetem('40ms', '10ms', '0.5%')
    const keysDir = join(lab.dir, 'keys')
    await generateKeyFiles(keysDir, 'exp')
    const owner = join(keysDir, 'exp.privatekey')
    const start = (name: string, host: (typeof lab.homes)[number], bootstrap: string[]): Promise<LabNode> =>
      lab.startNode(host, { name, keysDir: join(lab.dir, `${name}-keys`), owner, bootstrap })
    const t0 = performance.now()
    const relay = await start('n0', lab.publicHosts[0]!, [])
    const hosts = [...lab.publicHosts.slice(1), ...lab.homes]
    const nodes: LabNode[] = [relay]
    for (let i = 0; i < hosts.length; i += 4)
      nodes.push(
        ...(await Promise.all(hosts.slice(i, i + 4).map((h, j) => start(`n${1 + i + j}`, h, [relay.address])))),
      )
    const behind = nodes.filter((n) => n.host.nat !== null)
    for (;;) {
      const states = await Promise.all(behind.map((n) => lab.status(n)))
      if (states.every((s) => s?.reachability?.how === 'relay')) break
      if (performance.now() - t0 > 300_000) throw new Error('NATed nodes not reachable through a relay in 300 s')
      await new Promise((r) => setTimeout(r, 500))
    }
    const readyS = (performance.now() - t0) / 1000
    const bytes0 = lab.bytesOf(relay.host.ns)
    const browseArgs = ['browse', '--key', 'exp', '--keys', keysDir, '--bootstrap', relay.address, '--json']
    const browseMs: number[] = []
    let complete = 0
    let found: BrowseResult['nodes'] = []
    // the DHT needs a moment after the last announce: wait until one browse finds every node, then measure
    const settle = performance.now()
    for (;;) {
      const r = await lab.flotilla(lab.client, [...browseArgs, '--timeout', '15'])
      found = r.stdout.startsWith('{') ? (JSON.parse(r.stdout) as BrowseResult).nodes : []
      if (found.length === NODES) break
      if (performance.now() - settle > 120_000) break
    }
    for (let i = 0; i < BROWSES; i++) {
      const t = performance.now()
      const r = await lab.flotilla(lab.client, [...browseArgs, '--timeout', '15'])
      browseMs.push(performance.now() - t)
      const nodesFound = r.stdout.startsWith('{') ? (JSON.parse(r.stdout) as BrowseResult).nodes : []
      if (nodesFound.length === NODES) {
        complete++
        found = nodesFound
      }
    }
    const addresses = found.map((n) => n.address)
    const direct = addresses.filter((a) => !a.includes('/p2p-circuit')).length
    const deployMs: number[] = []
    let started = 0
    let vessels = 0
    for (let i = 0; i < DEPLOYS; i++) {
      const t = performance.now()
      const r = await lab.deploy(addresses, "log('hello\\n')\n", 'exp', keysDir)
      deployMs.push(performance.now() - t)
      const report = r.stdout.startsWith('{') ? (JSON.parse(r.stdout) as DeployReport) : undefined
      started = report?.started ?? 0
      vessels = report?.vessels ?? 0
    }
    const relayBytes = lab.bytesOf(relay.host.ns) - bytes0
    return {
      'NATed nodes': `${natted} of ${NODES}`,
      netem: netem === null ? '40±10 ms, 0.5 %' : 'none (unavailable)',
      'ready s': fmt(readyS, 1),
      'browse p50 ms': fmt(median(browseMs), 0),
      'browse p95 ms': fmt(percentile(browseMs, 95), 0),
      'browse complete': `${complete}/${BROWSES}`,
      'deploy p50 ms': fmt(median(deployMs), 0),
      'deploy started': `${started}/${vessels}`,
      'reached direct': `${direct}/${addresses.length}`,
      'relay link KiB': fmt(relayBytes / 1024, 0),
    }
  } finally {
    await lab.stop()
  }
}

export async function natBench(): Promise<void> {
  const why = netlabUnavailable()
  if (why !== null) {
    console.log(`skipped: ${why}`)
    return
  }
  const probe = Netlab.create({ publicHosts: 0, homes: [] })
  const netem = netemUnavailable(probe.inet)
  await probe.stop()
  if (netem !== null) console.log(`tc netem is not available here (${netem}): no added delay or loss`)
  const rows = [await scenario(0), await scenario(NAT)]
  table(rows)
  const ratio = (key: string): string => fmt(Number(rows[1]![key]) / Number(rows[0]![key]))
  console.log(
    `NAT / baseline: browse p50 ×${ratio('browse p50 ms')}, deploy p50 ×${ratio('deploy p50 ms')}, relay link bytes ×${ratio('relay link KiB')}`,
  )
}
