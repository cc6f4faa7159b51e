// Nodes behind NAT on a simulated internet (scripts/netlab/; root, network namespaces): BENCH_NODES node managers
// (default 8, one of them the public bootstrap/relay), BENCH_NAT of them behind NATs (default 6, alternately
// port-preserving and symmetric), and a client on the internet running the CLI. The same run with 0 NATed nodes is
// the baseline. Figures: time until every NATed node is reachable through a relay, browse wall time p50/p95 (every
// node found and answering?), deploy to every vessel (wall time, started), the share of nodes the client reached at
// a direct address, and the bytes through the relay's (the bootstrap's) link during browse + deploy.
// Where `tc netem` works, 40 ms ± 10 ms one way and 0.5 % loss on every link of the internet; it is reported when not.
//   sudo BENCH=nat npm run bench        BENCH_NODES=30 BENCH_NAT=20 BENCH_BROWSES=10 for the size
import { Netlab, netemUnavailable, netlabUnavailable, type NatKind } from '../../scripts/netlab/lab.js'
import { browse, browseUntilComplete, deployAll, startTestbed } from '../../scripts/netlab/testbed.js'
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
    const bed = await startTestbed(lab)
    const relay = bed.relay
    const bytes0 = lab.bytesOf(relay.host.ns)
    let found = await browseUntilComplete(lab, bed)
    const browseMs: number[] = []
    let complete = 0
    for (let i = 0; i < BROWSES; i++) {
      const { nodes, ms } = await browse(lab, bed)
      browseMs.push(ms)
      if (nodes.length === NODES) {
        complete++
        found = nodes
      }
    }
    const addresses = found.map((n) => n.address)
    const direct = addresses.filter((a) => !a.includes('/p2p-circuit')).length
    const deployMs: number[] = []
    let started = 0
    let vessels = 0
    for (let i = 0; i < DEPLOYS; i++) {
      const { report, ms } = await deployAll(lab, bed, addresses, "log('hello\\n')\n")
      deployMs.push(ms)
      started = report?.started ?? 0
      vessels = report?.vessels ?? 0
    }
    const relayBytes = lab.bytesOf(relay.host.ns) - bytes0
    return {
      'NATed nodes': `${natted} of ${NODES}`,
      netem: netem === null ? '40±10 ms, 0.5 %' : 'none (unavailable)',
      'ready s': fmt(bed.readyMs / 1000, 1),
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
  const netem = netemUnavailable()
  if (netem !== null) console.log(`tc netem is not available here (${netem}): no added delay or loss`)
  const rows = [await scenario(0), await scenario(NAT)]
  table(rows)
  const ratio = (key: string): string => fmt(Number(rows[1]![key]) / Number(rows[0]![key]))
  console.log(
    `NAT / baseline: browse p50 ×${ratio('browse p50 ms')}, deploy p50 ×${ratio('deploy p50 ms')}, relay link bytes ×${ratio('relay link KiB')}`,
  )
}
