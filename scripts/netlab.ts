// A simulated internet on this machine, with a testbed on it (root: network namespaces, see scripts/netlab/lab.ts):
// --nodes node managers, --nat of them each behind its own NAT (--symmetric of those with a symmetric NAT, the rest
// port-preserving), the first public one the bootstrap and relay, and a client on the internet that browses, deploys
// a program to every vessel and reads the logs back. Prints one JSON summary on stdout (progress on stderr) and
// removes every namespace and process at the end, on Ctrl-C and on SIGTERM.
//   sudo npm run netlab -- --nodes 8 --nat 6 --symmetric 3
// Exit status: 0 every node found, deployed to and its log read; 1 not all; 2 usage mistake or no namespaces/netem.
import { parseArgs } from 'node:util'
import { isCircuitText, Netlab, netemUnavailable, netlabUnavailable, type NatKind } from './netlab/lab.js'
import { browseUntilComplete, deployAll, logsHolding, startTestbed } from './netlab/testbed.js'

const HELP = `Usage: npm run netlab -- [options]   (as root)

Builds network namespaces (an internet bridge, homes behind NATs), starts node managers and a client in them, runs
browse, a deploy to every vessel and a log read, prints a JSON summary and removes everything.

Options:
  --nodes <n>        node managers in all, the first public one the bootstrap and relay (default 8)
  --nat <m>          how many of them are behind a NAT (default 6; at most nodes - 1)
  --symmetric <k>    how many of the NATed ones have a symmetric NAT (default half of --nat)
  --latency <ms>     delay on every internet link (needs tc netem)
  --loss <percent>   packet loss on every internet link (needs tc netem)
  -h, --help         this text

Exit status: 0 every node found, deployed to and its log read; 1 not all; 2 usage mistake, no namespaces or no netem.`

function fail(message: string): never {
  process.stderr.write(`netlab: ${message}\n`)
  process.exit(2)
}

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value)) fail(`${name} must be a whole number, not '${value}'`)
  return Number(value)
}

function options(): { nodes: number; nat: number; symmetric: number; latency?: string; loss?: string } {
  let parsed
  try {
    parsed = parseArgs({
      options: {
        nodes: { type: 'string' },
        nat: { type: 'string' },
        symmetric: { type: 'string' },
        latency: { type: 'string' },
        loss: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (err) {
    fail(`${(err as Error).message}\n${HELP}`)
  }
  if (parsed.help) {
    process.stdout.write(HELP + '\n')
    process.exit(0)
  }
  const nodes = count(parsed.nodes, '--nodes', 8)
  const nat = count(parsed.nat, '--nat', Math.min(6, nodes - 1))
  const symmetric = count(parsed.symmetric, '--symmetric', Math.floor(nat / 2))
  if (nodes < 1) fail('--nodes must be at least 1')
  if (nat > nodes - 1) fail(`--nat ${nat} leaves no public node for the bootstrap (at most ${nodes - 1})`)
  if (symmetric > nat) fail(`--symmetric ${symmetric} is more than --nat ${nat}`)
  const latency =
    parsed.latency === undefined
      ? undefined
      : /^\d+(\.\d+)?$/.test(parsed.latency)
        ? `${parsed.latency}ms`
        : parsed.latency
  if (latency !== undefined && !/^\d+(\.\d+)?(us|ms|s)$/.test(latency))
    fail(`--latency: '${parsed.latency}' is not a delay like 40 or 40ms`)
  const loss = parsed.loss === undefined ? undefined : parsed.loss.endsWith('%') ? parsed.loss : `${parsed.loss}%`
  if (loss !== undefined && !/^\d+(\.\d+)?%$/.test(loss)) fail(`--loss: '${parsed.loss}' is not a percentage like 0.5`)
  return { nodes, nat, symmetric, ...(latency ? { latency } : {}), ...(loss ? { loss } : {}) }
}

const progress = (text: string): void => {
  process.stderr.write(`netlab: ${text}\n`)
}

async function main(): Promise<number> {
  const opts = options()
  const why = netlabUnavailable()
  if (why !== null) fail(`cannot build network namespaces here: ${why}`)
  if (opts.latency !== undefined || opts.loss !== undefined) {
    const netem = netemUnavailable()
    if (netem !== null)
      fail(
        `--latency and --loss need the netem queueing discipline (tc qdisc … netem), which this kernel lacks: ${netem}`,
      )
  }
  const t0 = performance.now()
  const homes: NatKind[] = Array.from({ length: opts.nat }, (_, k) => (k < opts.symmetric ? 'symmetric' : 'cone'))
  const lab = Netlab.create({ publicHosts: opts.nodes - opts.nat, homes })
  let stopping = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return
    stopping = true
    progress(`${signal}: stopping the nodes and removing the namespaces`)
    void lab.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    if (opts.latency !== undefined || opts.loss !== undefined)
      lab.addNetem(opts.latency ?? '0ms', '0ms', opts.loss ?? '0%')
    const buildMs = performance.now() - t0
    progress(`namespaces built; starting ${opts.nodes} node managers (${opts.nat} behind NAT)`)
    const bed = await startTestbed(lab)
    progress(`every NATed node reachable through the relay after ${(bed.readyMs / 1000).toFixed(1)} s; browsing`)
    let t = performance.now()
    const found = await browseUntilComplete(lab, bed)
    const browseMs = performance.now() - t
    const addresses = found.map((n) => n.address)
    progress(`found ${found.length} of ${opts.nodes}; deploying to each`)
    const program = "log('hello from the netlab\\n')\n"
    const deployed = await deployAll(lab, bed, addresses, program)
    progress('reading the logs back')
    t = performance.now()
    const logs = await logsHolding(lab, bed, addresses, 'hello from the netlab')
    const logsMs = performance.now() - t
    const reachability: Record<string, number> = {}
    for (const s of await Promise.all(bed.nodes.map((n) => lab.status(n)))) {
      const how = s?.reachability?.how ?? 'no answer'
      reachability[how] = (reachability[how] ?? 0) + 1
    }
    const relayed = addresses.filter(isCircuitText).length
    const report = deployed.report
    const summary = {
      nodes: opts.nodes,
      nat: { cone: opts.nat - opts.symmetric, symmetric: opts.symmetric },
      netem:
        opts.latency !== undefined || opts.loss !== undefined
          ? { latency: opts.latency ?? '0ms', loss: opts.loss ?? '0%' }
          : null,
      found: found.length,
      deployed: {
        vessels: report?.vessels ?? 0,
        started: report?.started ?? 0,
        failed: report?.failed ?? 0,
        unreachable: report?.unreachable ?? 0,
      },
      logsRead: logs,
      connections: { direct: addresses.length - relayed, relayed },
      reachability,
      ms: {
        build: Math.round(buildMs),
        ready: Math.round(bed.readyMs),
        browse: Math.round(browseMs),
        deploy: Math.round(deployed.ms),
        logs: Math.round(logsMs),
        total: Math.round(performance.now() - t0),
      },
    }
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
    const all = found.length === opts.nodes && (report?.started ?? 0) === opts.nodes && logs === opts.nodes
    return all ? 0 : 1
  } finally {
    if (!stopping) {
      progress('stopping the nodes and removing the namespaces')
      await lab.stop()
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`netlab: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
