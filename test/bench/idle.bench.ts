// An idle node's footprint (issue: footprint a donor accepts). N real node managers (`flotilla node start`, each a
// process; a sandbox host starts only with a program) on 127.0.0.x, node 0 the others' bootstrap, no vessel running.
// Once they have settled, every process's cpu time is read from /proc over one window, and its memory after it.
// Measured in the same window, as baselines: N libp2p nodes with libp2p's default settings and the services a node's
// discovery uses (a DHT network of their own), and one Node process that only keeps a timer.
// BENCH_IDLE_COMPARE=<another checkout, built> runs its nodes too, in the same window (a network of their own): a
// change's before and after measured side by side.
//   BENCH=idle npm run bench        BENCH_IDLE_NODES=1,10 BENCH_IDLE_WINDOW_S=300 BENCH_IDLE_SETTLE_S=70
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { DHT_PROTOCOL } from '../../src/p2p/discovery-services.js'
import { initNode } from '../../src/node/node-config.js'
import { nodePaths } from '../../src/node/node-paths.js'
import { VesselStore } from '../../src/node/vessel-store.js'
import type { NodeSummary } from '../../src/protocol/results.js'
import { makeKeys, tempDir } from '../node/nm-helpers.js'
import { childPids, cpuMs, groupMemory } from './proc-stats.js'
import { fmt, median } from './stats.js'

const ROOT = new URL('../../', import.meta.url).pathname
const COUNTS = (process.env.BENCH_IDLE_NODES ?? '1,10').split(',').map(Number)
// An idle node's work comes in bursts: each end pings its connections every 4 min, kad-dht refreshes its routing table
// and looks itself up every 5 min, the advertiser re-announces every 5 min. A window of 5 min sees each of them once;
// shorter ones read 0 or twice the mean depending on where the bursts fall.
const WINDOW_S = Number(process.env.BENCH_IDLE_WINDOW_S ?? 300)
// past the first minute: a node's first announces and DHT lookups are over (an idle node runs no sandbox host: it
// starts with the first program, docs/ARCHITECTURE.md 'Vessel lifecycle')
const SETTLE_S = Number(process.env.BENCH_IDLE_SETTLE_S ?? 70)
const COMPARE = process.env.BENCH_IDLE_COMPARE

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

interface Started {
  child: ChildProcess
  /** the first line it printed */
  line: string
}

function start(args: string[]): Promise<Started> {
  // in the project folder: the libp2p baseline imports its packages by name
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before it printed a line`)))
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, line }))
  })
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
        }),
    ),
  )
}

/** N node managers of the checkout at `root`, node i on <net>.(i+1), the others bootstrapping from node 0. */
async function startNodes(n: number, dir: string, root: string, net: string): Promise<ChildProcess[]> {
  const children: ChildProcess[] = []
  let bootstrap: string | undefined
  for (let i = 0; i < n; i++) {
    const keysDir = join(dir, `n${i}`, 'keys')
    const dataDir = join(dir, `n${i}`, 'data')
    await makeKeys(keysDir)
    const paths = nodePaths(dataDir)
    const store = await VesselStore.open(paths.state)
    const listen = [`/ip4/${net}.${i + 1}/tcp/0`]
    await initNode(store, paths, keysDir, { donatePercent: 10, vessels: 2, listen })
    await store.close()
    const args = [join(root, 'bin/flotilla'), 'node', 'start', '--data', dataDir, '--keys', keysDir, '--json']
    const started = await start([...args, '--quiet', ...(bootstrap ? ['--bootstrap', bootstrap] : [])])
    children.push(started.child)
    bootstrap ??= (JSON.parse(started.line) as NodeSummary).addresses[0]
  }
  return children
}

/** N libp2p nodes as the library configures them by default, with the services a node's discovery uses (TCP, Noise,
 *  yamux, identify, ping, a kad-dht server on our protocol, bootstrap), on 127.0.1.(i+1): what libp2p costs. Node 20
 *  needs the shim for Promise.withResolvers. */
async function startBareLibp2p(n: number): Promise<ChildProcess[]> {
  const children: ChildProcess[] = []
  let bootstrap: string | undefined
  for (let i = 0; i < n; i++) {
    const script = `
      import ${JSON.stringify(join(ROOT, 'dist/p2p/promise-shim.js'))}
      import { noise } from '@chainsafe/libp2p-noise'
      import { yamux } from '@chainsafe/libp2p-yamux'
      import { bootstrap } from '@libp2p/bootstrap'
      import { identify } from '@libp2p/identify'
      import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
      import { ping } from '@libp2p/ping'
      import { tcp } from '@libp2p/tcp'
      import { createLibp2p } from 'libp2p'
      const list = ${JSON.stringify(bootstrap ? [bootstrap] : [])}
      const node = await createLibp2p({
        addresses: { listen: ['/ip4/127.0.1.${i + 1}/tcp/0'] },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        peerDiscovery: list.length > 0 ? [bootstrap({ list })] : [],
        services: {
          identify: identify(),
          ping: ping(),
          dht: kadDHT({ protocol: ${JSON.stringify(DHT_PROTOCOL)}, clientMode: false, peerInfoMapper: passthroughMapper }),
        },
      })
      console.log(node.getMultiaddrs()[0].toString())
      process.on('SIGTERM', () => node.stop().then(() => process.exit(0)))`
    const started = await start(['--input-type=module', '-e', script])
    children.push(started.child)
    bootstrap ??= started.line
  }
  return children
}

interface Figures {
  /** cpu % of one core over the window */
  cpu: number
  rssKb: number
  /** what the machine would get back without the group (proc-stats.ts groupMemory) */
  footprintKb: number
}

/** Each group's cpu over the window (its processes together) and its memory at the window's end. */
async function measure(groups: number[][]): Promise<Figures[]> {
  const before = groups.map((pids) => pids.map(cpuMs))
  const t0 = performance.now()
  await sleep(WINDOW_S * 1000)
  const ms = performance.now() - t0
  return groups.map((pids, g) => ({
    cpu: (100 * pids.reduce((sum, pid, k) => sum + cpuMs(pid) - before[g]![k]!, 0)) / ms,
    ...groupMemory(pids),
  }))
}

async function idleRound(n: number): Promise<Array<Record<string, string | number>>> {
  const dir = tempDir('flotilla-idle-bench-')
  const children: ChildProcess[] = []
  try {
    const nodes = await startNodes(n, join(dir, 'this'), ROOT, '127.0.0')
    children.push(...nodes)
    const others = COMPARE === undefined ? [] : await startNodes(n, join(dir, 'other'), COMPARE, '127.0.3')
    children.push(...others)
    const bare = await startBareLibp2p(n)
    children.push(...bare)
    const timer = await start(['-e', 'console.log("up"); setInterval(() => {}, 1e9)'])
    children.push(timer.child)
    await sleep(SETTLE_S * 1000)
    const trees = (children: ChildProcess[]) => children.map((c) => [c.pid!, ...childPids(c.pid!)])
    const figures = await measure([
      ...trees(nodes),
      ...bare.map((c) => [c.pid!]),
      ...trees(others),
      ...others.map((c) => [c.pid!]),
      [timer.child.pid!],
    ])
    const [tree, libp2p, otherTree, otherNm] = [0, 1, 2, 3].map((k) => figures.slice(k * n, (k + 1) * n))
    const node = figures.at(-1)!
    const row = (what: string, f: Figures[]) => ({
      measure: `${n} idle, ${WINDOW_S} s: ${what}`,
      'cpu % (median)': fmt(median(f.map((x) => x.cpu)), 3),
      'cpu % (max)': fmt(Math.max(...f.map((x) => x.cpu)), 3),
      'cpu % (all)': fmt(
        f.reduce((s, x) => s + x.cpu, 0),
        3,
      ),
      'RSS MB (median)': fmt(median(f.map((x) => x.rssKb)) / 1024, 1),
      'footprint MB (median)': fmt(median(f.map((x) => x.footprintKb)) / 1024, 1),
    })
    return [
      row('node (its processes: the node manager alone, no program runs)', tree!),
      ...(COMPARE === undefined ? [] : [row(`node of ${COMPARE}`, otherTree!), row(`  its node manager`, otherNm!)]),
      row('baseline: libp2p with its defaults, same services', libp2p!),
      row('baseline: node -e with one timer', [node]),
    ]
  } finally {
    await stopAll(children)
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function idleBench(): Promise<void> {
  const rows: Array<Record<string, string | number>> = []
  for (const n of COUNTS) rows.push(...(await idleRound(n)))
  console.table(rows)
}
