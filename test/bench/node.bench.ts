// Node manager benchmarks (issue: node manager). Against one node manager running in a child process
// (`flotilla node start`), over one client connection:
//  - signed requests (ListFilesInVessel) per second and latency p50/p99, sequential and over 50 concurrent streams,
//    and the node manager's and the client's cpu per request (steadier than rates on a busy machine), next to the bare
//    Ed25519 verify rate measured in the same run;
//  - StartVessel accepted → the program's first log line readable by the client (p50, p99 over ≥ 50 starts);
//  - idle RSS of the node (the node manager alone: its sandbox host starts with the first program), the host's with no
//    vessel running, and RSS per running idle vessel (10 vessels sleeping);
//  - AddFileToVessel latency into a vessel holding 5,000 files next to an empty one, and ChangeOwnerInformation on
//    another vessel while 8 uploads to the full one are under way.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { sign, verify } from '../../src/keys/signatures.js'
import type { KeyPair } from '../../src/keys/key-files.js'
import { initNode } from '../../src/node/node-config.js'
import { nodePaths } from '../../src/node/node-paths.js'
import { VesselStore } from '../../src/node/vessel-store.js'
import type { NodeSummary } from '../../src/protocol/results.js'
import { makeKeys, tempDir } from '../node/nm-helpers.js'
import { firstLineLatencies } from './first-line.js'
import { cpuMs } from './proc-stats.js'
import { fmt, percentile } from './stats.js'

const ROOT = new URL('../../', import.meta.url).pathname
const SEQUENTIAL = Number(process.env.BENCH_NM_SEQ ?? 2000)
const CONCURRENT = 50
const CONCURRENT_TOTAL = Number(process.env.BENCH_NM_CONC ?? 5000)
const STARTS = Number(process.env.BENCH_NM_STARTS ?? 60)
const IDLE_VESSELS = 10
const FULL_VESSEL_FILES = 5000
const UPLOADS = Number(process.env.BENCH_NM_UPLOADS ?? 200)
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  return Number(line?.split(/\s+/)[1] ?? 0)
}

/** The node manager and its sandbox host (its child processes). */
function treeRssKb(pid: number): { nm: number; host: number } {
  let host = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
      if (ppid === pid) host += rssKb(Number(entry))
    } catch {
      /* gone */
    }
  }
  return { nm: rssKb(pid), host }
}

/** `pid`: a process whose cpu per call is measured too (the node manager). */
async function timed(
  n: number,
  concurrency: number,
  fn: () => Promise<unknown>,
  pid?: number,
): Promise<{ rate: number; lat: number[]; cpuMsPerCall?: number; clientCpuMsPerCall: number }> {
  const lat: number[] = []
  let left = n
  const cpu0 = pid === undefined ? 0 : cpuMs(pid)
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const t = performance.now()
        await fn()
        lat.push(performance.now() - t)
      }
    }),
  )
  const rate = (n / (performance.now() - t0)) * 1000
  const client = process.cpuUsage(client0)
  const clientCpuMsPerCall = (client.user + client.system) / 1000 / n
  return { rate, lat, clientCpuMsPerCall, ...(pid === undefined ? {} : { cpuMsPerCall: (cpuMs(pid) - cpu0) / n }) }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export async function nodeBench(): Promise<void> {
  const dir = tempDir('flotilla-nm-bench-')
  const keysDir = join(dir, 'keys')
  const dataDir = join(dir, 'data')
  const { owner } = await makeKeys(keysDir)
  const paths = nodePaths(dataDir)
  const store = await VesselStore.open(paths.state)
  await initNode(store, paths, keysDir, {
    donatePercent: 50,
    vessels: IDLE_VESSELS + 4,
    listen: ['/ip4/127.0.0.1/tcp/0'],
  })
  await store.close()
  const [fullVessel, emptyVessel] = [`v${IDLE_VESSELS + 3}`, `v${IDLE_VESSELS + 4}`]
  mkdirSync(join(paths.files, fullVessel), { recursive: true })
  for (let i = 0; i < FULL_VESSEL_FILES; i++) writeFileSync(join(paths.files, fullVessel, `old${i}.txt`), 'x')
  // --quiet: the node still writes every request to its log file, but not to this terminal
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'bin/flotilla'), 'node', 'start', '--data', dataDir, '--keys', keysDir, '--json', '--quiet'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const transport = await ClientTransport.create()
  try {
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))
    const summary = JSON.parse(line) as NodeSummary
    const client = await NodeClient.connect(summary.addresses[0]!, { identity: owner, transport })
    await sleep(1500)
    const idle = treeRssKb(child.pid!)

    // signed requests
    // Warm-up, both ways: after 200 concurrent requests only, the first 2,000 sequential ones cost the node 0.88 ms of
    // cpu each and the next two thousands 0.54 and 0.51 (V8 still compiling the path: its compiler threads alone took
    // 0.22 ms a request, then 0.07), so the sequential figure was mostly the warm-up's.
    const list = () => client.call('ListFilesInVessel', ['v1'])
    await timed(1000, 10, list)
    await timed(1000, 1, list)
    const seq = await timed(SEQUENTIAL, 1, list, child.pid)
    const conc = await timed(CONCURRENT_TOTAL, CONCURRENT, list, child.pid)
    const verifies = bareVerifyRate(owner)

    // uploads into a vessel with many files; the owner on another vessel meanwhile. Measured on 2 shared cores (p50):
    // with a node-wide lock and a full scan per upload 12.9 ms empty, 144 ms with 5,000 files, ChangeOwnerInformation
    // 1,667 ms; with per-vessel locks and the kept disk-use figure 7.3 ms, 9.9 ms and 16 ms.
    const upload = (v: string) => {
      let i = 0
      return () => client.call('AddFileToVessel', [v, `up${i++ % 50}.txt`, enc('some data')])
    }
    await timed(50, 1, upload(emptyVessel)) // warm-up
    const uploadsEmpty = await timed(UPLOADS, 1, upload(emptyVessel))
    const uploadsFull = await timed(UPLOADS, 1, upload(fullVessel))
    const ownerBeside: number[] = []
    for (let i = 0; i < 20; i++) {
      const inFlight = Array.from({ length: 8 }, (_, k) =>
        client.call('AddFileToVessel', [fullVessel, `busy${k}.txt`, enc('x'.repeat(1000))]),
      )
      const t = performance.now()
      await client.call('ChangeOwnerInformation', [emptyVessel, `info ${i}`])
      ownerBeside.push(performance.now() - t)
      await Promise.all(inFlight)
    }

    // StartVessel -> first log line
    const runners = ['v1', 'v2']
    for (const v of runners) await client.call('AddFileToVessel', [v, 'first.js', enc("log('first line\\n')\n")])
    const startLat = await firstLineLatencies(client, {
      runners,
      program: 'first.js',
      line: 'first line\n',
      starts: STARTS,
    })

    // RSS per running idle vessel: JavaScript, then Repy (the Python runtime is loaded only in Repy vessels)
    const idleVessels = summary.vessels.slice(2, 2 + IDLE_VESSELS).map((v) => v.name)
    let hostBetween: number | undefined
    const perIdleVessel = async (program: string, source: string): Promise<number> => {
      await sleep(1000)
      const before = treeRssKb(child.pid!) // after the work above, so only the vessels' own memory is counted
      hostBetween ??= before.host
      for (const v of idleVessels) {
        await client.call('AddFileToVessel', [v, program, enc(source)])
        await client.call('StartVessel', [v, program, []])
      }
      await sleep(3000)
      const busy = treeRssKb(child.pid!)
      for (const v of idleVessels) await client.call('StopVessel', [v])
      return (busy.nm + busy.host - before.nm - before.host) / IDLE_VESSELS
    }
    // The second batch reuses memory the first freed, so it reads lower: swapping the order moved each figure by
    // about 1 MB (JS 11.4 / Repy 12.3 in this order, Repy 13.7 / JS 10.1 the other way round).
    const perVessel = await perIdleVessel('idle.js', 'while (true) await sleep(1)\n')
    const perRepyVessel = await perIdleVessel('idle.r2py', 'while True:\n  sleep(1)\n')

    // the client (this process) shares the cores with the node: its cpu per request counts too
    const row = (
      name: string,
      r: { rate: number; lat: number[]; cpuMsPerCall?: number; clientCpuMsPerCall: number },
    ) => ({
      measure: name,
      'req/s': Math.round(r.rate),
      'p50 ms': fmt(percentile(r.lat, 50)),
      'p99 ms': fmt(percentile(r.lat, 99)),
      'node cpu ms/req': r.cpuMsPerCall === undefined ? '-' : fmt(r.cpuMsPerCall),
      'client cpu ms/req': fmt(r.clientCpuMsPerCall),
    })
    console.table([
      row(`signed requests, sequential, 1 connection (${SEQUENTIAL})`, seq),
      row(`signed requests, ${CONCURRENT} concurrent streams, 1 connection (${CONCURRENT_TOTAL})`, conc),
      {
        measure: 'bare Ed25519 verify (cached key), same run',
        'req/s': Math.round(verifies),
        'p50 ms': '-',
        'p99 ms': '-',
        'node cpu ms/req': fmt(1000 / verifies),
      },
      {
        measure: `StartVessel accepted -> first log line read (${STARTS} starts)`,
        'req/s': '-',
        'p50 ms': fmt(percentile(startLat, 50)),
        'p99 ms': fmt(percentile(startLat, 99)),
      },
      row(`AddFileToVessel, empty vessel (${UPLOADS})`, uploadsEmpty),
      row(`AddFileToVessel, vessel with ${FULL_VESSEL_FILES} files (${UPLOADS})`, uploadsFull),
      {
        measure: 'ChangeOwnerInformation beside 8 uploads to that vessel (20)',
        'req/s': '-',
        'p50 ms': fmt(percentile(ownerBeside, 50)),
        'p99 ms': fmt(percentile(ownerBeside, 99)),
      },
    ])
    console.table([
      // the sandbox host runs only while programs do (docs/ARCHITECTURE.md, 'Vessel lifecycle')
      {
        measure: 'idle node RSS (no program has run: the node manager alone)',
        MB: fmt((idle.nm + idle.host) / 1024, 1),
      },
      { measure: 'its sandbox host with no vessel running (after the starts above)', MB: fmt(hostBetween! / 1024, 1) },
      { measure: `RSS per running idle vessel (${IDLE_VESSELS} vessels sleeping)`, MB: fmt(perVessel / 1024, 1) },
      {
        measure: `RSS per running idle Repy (.r2py) vessel (${IDLE_VESSELS} vessels sleeping)`,
        MB: fmt(perRepyVessel / 1024, 1),
      },
    ])
    await client.close()
  } finally {
    await transport.close()
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

function bareVerifyRate(key: KeyPair): number {
  const msg = enc('x'.repeat(200))
  const sig = sign(key.privateKey, msg)
  let n = 0
  const t0 = performance.now()
  while (performance.now() - t0 < 1500) {
    for (let i = 0; i < 100; i++) verify(key.publicKeyText, msg, sig)
    n += 100
  }
  return (n / (performance.now() - t0)) * 1000
}
