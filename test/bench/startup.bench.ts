// Start-up cost and footprint (issue: speed where a testbed needs it), each next to a baseline from the same run:
//  - the CLI: `flotilla run` hello world, `--help`, `node status`, `node call` (wall and cpu of the whole process
//    tree), next to `node -e 0`;
//  - StartVessel accepted -> the program's first log line read by the client, on a warm node (its sandbox host
//    running), with a pause before each start (a spare thread booted) and back to back, for hello.js and hello.r2py,
//    next to a signed request's round trip (ListFilesInVessel) on the same node in the same run;
//  - an idle node manager with its sandbox host: cpu over a window, RSS and footprint (memory only these processes
//    hold, shared pages once); then with 10 vessels sleeping, and after they are stopped;
//  - floors, what the design costs before any of Flotilla's code (docs/ARCHITECTURE.md, 'What the design costs'): Node
//    with a worker thread, and with QuickJS in it, next to `flotilla run`; 10 bare worker threads' footprint, and
//    theirs with a QuickJS engine made in each.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import type { KeyPair } from '../../src/keys/key-files.js'
import { initNode } from '../../src/node/node-config.js'
import { nodePaths } from '../../src/node/node-paths.js'
import { VesselStore } from '../../src/node/vessel-store.js'
import type { NodeSummary } from '../../src/protocol/results.js'
import { HOST_IDLE_MS } from '../../src/node/lifecycle.js'
import { GENEROUS_RESTRICTIONS } from '../helpers/run-guest.js'
import { HELLO, makeKeys, tempDir } from '../node/nm-helpers.js'
import { firstLineLatencies } from './first-line.js'
import { TIERING_BUDGET } from '../../src/runtime/local-run.js'
import { VESSEL_THREAD_LIMITS } from '../../src/runtime/vessel-threads.js'
import { childPids, childrenCpuMs, cpuMs, groupMemory, memory } from './proc-stats.js'
import { fmt, median, percentile } from './stats.js'

const ROOT = new URL('../../', import.meta.url).pathname
const FLOTILLA = join(ROOT, 'bin/flotilla')
const RUNS = Number(process.env.BENCH_RUNS ?? 11)
const STARTS = Number(process.env.BENCH_STARTS ?? 40)
const IDLE_WINDOW_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000)
const SLEEPING = 10
/** Before each "warm" start: time for the host to boot its next spare thread, as between an experimenter's starts. */
const PAUSE_MS = 300
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** QuickJS's module compiled in a floor's source (which imports readFileSync), as the sandbox compiles it. */
const COMPILE_QUICKJS =
  "new WebAssembly.Module(readFileSync(new URL(import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'))))"

/** The least a program run in a worker thread of its own can take: Node, plus a worker thread that says hello, plus
 *  QuickJS made in that thread (compiled as `flotilla run` compiles it, src/runtime/local-run.ts) evaluating a line.
 *  `flotilla run` does that and more (its command line, the program's sandbox and API). Run with the project as cwd. */
const WORKER_FLOOR = `import { Worker } from 'node:worker_threads'
const w = new Worker("require('node:worker_threads').parentPort.postMessage('hello')", { eval: true, execArgv: [] })
w.once('message', (m) => { console.log(m); w.terminate() })`
const QUICKJS_FLOOR = `import { Worker } from 'node:worker_threads'
import { readFileSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
const w = new Worker(\`const { parentPort } = require('node:worker_threads')
const { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } = require('quickjs-emscripten')
parentPort.once('message', async (wasmModule) => {
  const ctx = (await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule }))).newContext()
  parentPort.postMessage(ctx.getString(ctx.unwrapResult(ctx.evalCode("'hello'"))))
})
parentPort.postMessage('loaded')\`, { eval: true, execArgv: [] })
w.on('message', (m) => {
  if (m !== 'loaded') return void (console.log(m), w.terminate())
  setFlagsFromString('--wasm-tiering-budget=${TIERING_BUDGET}')
  w.postMessage(${COMPILE_QUICKJS})
})`
/** A worker thread that waits, and one that first makes a QuickJS runtime and context from the compiled module it is
 *  sent, as a vessel's engine is made (src/runtime/guest-engine.ts). Both say so once they are up. */
const BARE_THREAD =
  "const { parentPort } = require('node:worker_threads'); setInterval(() => {}, 1000); parentPort.postMessage(1)"
const ENGINE_THREAD = `const { parentPort } = require('node:worker_threads')
const { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } = require('quickjs-emscripten')
setInterval(() => {}, 1000)
parentPort.once('message', async (wasmModule) => {
  globalThis.engine = (await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule }))).newRuntime().newContext()
  parentPort.postMessage(1)
})`
/** A process waiting with `n` worker threads, each with a vessel thread's limits (src/runtime/vessel-threads.ts) and
 *  waiting too, bare or each with an engine: says 'ready' once all are up. The process compiles QuickJS either way,
 *  as a sandbox host does once for all its vessels. Run with the project as cwd. */
const waitingThreads = (n: number, engines: boolean) => `import { Worker } from 'node:worker_threads'
import { readFileSync } from 'node:fs'
const limits = ${JSON.stringify(VESSEL_THREAD_LIMITS)}
const quickjs = ${COMPILE_QUICKJS}
let up = 0
const ready = () => { if (up++ === ${n}) console.log('ready') }
for (let i = 0; i < ${n}; i++) {
  const w = new Worker(${JSON.stringify(engines ? ENGINE_THREAD : BARE_THREAD)}, { eval: true, execArgv: [], resourceLimits: limits })
  w.once('message', ready)
  if (${engines}) w.postMessage(quickjs)
}
ready()
setInterval(() => {}, 1000)`

interface Timed {
  wall: number[]
  cpu: number[]
}

/** Runs each command RUNS times, interleaved, so that a busy machine weighs on all of them alike. */
function timeCommands(commands: Record<string, string[]>): Map<string, Timed> {
  const results = new Map(Object.keys(commands).map((name) => [name, { wall: [] as number[], cpu: [] as number[] }]))
  for (let i = 0; i < RUNS; i++) {
    for (const [name, [cmd, ...args]] of Object.entries(commands)) {
      const cpu0 = childrenCpuMs()
      const t0 = performance.now()
      const r = spawnSync(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT })
      if (r.status !== 0) throw new Error(`${name} failed (${r.status}): ${String(r.stderr)}`)
      results.get(name)!.wall.push(performance.now() - t0)
      results.get(name)!.cpu.push(childrenCpuMs() - cpu0)
    }
  }
  return results
}

/** A node manager in a child process (`flotilla node start`), 2 + SLEEPING vessels; resolves once it answers. */
async function startNode(
  dir: string,
): Promise<{ child: ChildProcess; summary: NodeSummary; keysDir: string; dataDir: string; owner: KeyPair }> {
  const keysDir = join(dir, 'keys')
  const dataDir = join(dir, 'data')
  const { owner } = await makeKeys(keysDir)
  const paths = nodePaths(dataDir)
  const store = await VesselStore.open(paths.state)
  await initNode(store, paths, keysDir, { donatePercent: 50, vessels: 2 + SLEEPING, listen: ['/ip4/127.0.0.1/tcp/0'] })
  await store.close()
  const child = spawn(
    process.execPath,
    [FLOTILLA, 'node', 'start', '--data', dataDir, '--keys', keysDir, '--json', '--quiet'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve))
  return { child, summary: JSON.parse(line) as NodeSummary, keysDir, dataDir, owner }
}

interface IdleFigures {
  cpuMs: number
  rssMb: number
  footprintMb: number
  nmPrivateMb: number
  hostPrivateMb: number
}

/** The node's processes (manager and sandbox host, which starts and stops with programs): cpu used over the window by
 *  those there at its end, and their memory then. */
async function idleFigures(nmPid: number): Promise<IdleFigures> {
  const cpu0 = new Map([nmPid, ...childPids(nmPid)].map((pid) => [pid, cpuMs(pid)]))
  await sleep(IDLE_WINDOW_MS)
  const pids = [nmPid, ...childPids(nmPid)]
  const cpu = pids.reduce((sum, pid) => sum + cpuMs(pid) - (cpu0.get(pid) ?? 0), 0)
  const m = groupMemory(pids)
  const privateMb = (ps: number[]): number => ps.reduce((sum, pid) => sum + memory(pid).private, 0) / 1024
  return {
    cpuMs: cpu,
    rssMb: m.rssKb / 1024,
    footprintMb: m.footprintKb / 1024,
    nmPrivateMb: privateMb([nmPid]),
    hostPrivateMb: privateMb(pids.slice(1)),
  }
}

/** The footprint (MB) of a process waiting with `n` worker threads (waitingThreads), once they have waited as long
 *  as the sleeping vessels before their figures. */
async function waitingFootprint(n: number, engines: boolean): Promise<number> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', waitingThreads(n, engines)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', () => resolve())
    child.once('exit', (code) => reject(new Error(`the process with ${n} waiting threads exited (${code})`)))
  })
  await sleep(2000 + IDLE_WINDOW_MS)
  const footprint = groupMemory([child.pid!]).footprintKb / 1024
  child.kill()
  await new Promise((r) => child.once('exit', r))
  return footprint
}

export async function startupBench(): Promise<void> {
  const dir = tempDir('flotilla-startup-bench-')
  writeFileSync(join(dir, 'r.txt'), GENEROUS_RESTRICTIONS)
  writeFileSync(join(dir, 'hello.js'), HELLO)
  const node = await startNode(dir)
  const transport = await ClientTransport.create()
  try {
    const address = node.summary.addresses[0]!
    const commands = timeCommands({
      'node -e 0': [process.execPath, '-e', '0'],
      'floor: node + a worker thread': [process.execPath, '--input-type=module', '-e', WORKER_FLOOR],
      'floor: + QuickJS in it, evaluating a line': [process.execPath, '--input-type=module', '-e', QUICKJS_FLOOR],
      'flotilla run hello.js': [process.execPath, FLOTILLA, 'run', join(dir, 'r.txt'), join(dir, 'hello.js')],
      'flotilla --help': [process.execPath, FLOTILLA, '--help'],
      'flotilla node status': [process.execPath, FLOTILLA, 'node', 'status', '--data', node.dataDir],
      'flotilla node call ListFilesInVessel': [
        process.execPath,
        FLOTILLA,
        'node',
        'call',
        address,
        'ListFilesInVessel',
        'v1',
        '--key',
        'owner',
        '--keys',
        node.keysDir,
      ],
    })
    const base = commands.get('node -e 0')!
    console.log(
      `\nstart-to-exit, median of ${RUNS} runs, each next to \`node -e 0\` (wall ${fmt(median(base.wall), 0)} ms, cpu ${fmt(median(base.cpu), 0)} ms):`,
    )
    console.table(
      [...commands].map(([name, t]) => ({
        command: name,
        'wall ms': fmt(median(t.wall), 0),
        'x node -e': fmt(median(t.wall) / median(base.wall), 1),
        'cpu ms': fmt(median(t.cpu), 0),
        'cpu x node -e': fmt(median(t.cpu) / median(base.cpu), 1),
      })),
    )

    const owner = await NodeClient.connect(address, { identity: node.owner, transport })
    for (const v of ['v1', 'v2']) {
      await owner.call('AddFileToVessel', [v, 'hello.js', enc(HELLO)])
      await owner.call('AddFileToVessel', [v, 'hello.r2py', enc(HELLO)])
    }
    const fresh = await idleFigures(node.child.pid!)
    const hello = { runners: ['v1', 'v2'], program: 'hello.js', line: 'Hello World\n', starts: STARTS }
    const requests: number[] = []
    for (let i = 0; i < 5 * STARTS; i++) {
      const t = performance.now()
      await owner.call('ListFilesInVessel', ['v1'])
      requests.push(performance.now() - t)
    }
    const warm = await firstLineLatencies(owner, { ...hello, pauseMs: PAUSE_MS })
    const backToBack = await firstLineLatencies(owner, hello)
    const warmRepy = await firstLineLatencies(owner, { ...hello, program: 'hello.r2py', pauseMs: PAUSE_MS })
    console.log(
      `\nStartVessel accepted -> first log line read (${STARTS} starts each), next to a signed request on the same node:`,
    )
    console.table([
      {
        starts: `baseline: ListFilesInVessel round trip (${5 * STARTS} requests)`,
        'p50 ms': fmt(percentile(requests, 50)),
        'p90 ms': fmt(percentile(requests, 90)),
        'p99 ms': fmt(percentile(requests, 99)),
      },
      {
        starts: `hello.js, warm node, ${PAUSE_MS} ms before each start`,
        'p50 ms': fmt(percentile(warm, 50)),
        'p90 ms': fmt(percentile(warm, 90)),
        'p99 ms': fmt(percentile(warm, 99)),
      },
      {
        starts: 'hello.js, back to back',
        'p50 ms': fmt(percentile(backToBack, 50)),
        'p90 ms': fmt(percentile(backToBack, 90)),
        'p99 ms': fmt(percentile(backToBack, 99)),
      },
      {
        starts: `hello.r2py, warm node, ${PAUSE_MS} ms before each start`,
        'p50 ms': fmt(percentile(warmRepy, 50)),
        'p90 ms': fmt(percentile(warmRepy, 90)),
        'p99 ms': fmt(percentile(warmRepy, 99)),
      },
    ])

    const sleepers = node.summary.vessels.slice(2, 2 + SLEEPING).map((v) => v.name)
    for (const v of sleepers) {
      await owner.call('AddFileToVessel', [v, 'idle.js', enc('while (true) await sleep(1)\n')])
      await owner.call('StartVessel', [v, 'idle.js', []])
    }
    await sleep(2000)
    const busy = await idleFigures(node.child.pid!)
    for (const v of sleepers) await owner.call('StopVessel', [v])
    await sleep(2000)
    const stopped = await idleFigures(node.child.pid!)
    await owner.close()
    // the node stops its sandbox host a minute after the last program ended
    await sleep(Math.max(0, HOST_IDLE_MS + 2000 - IDLE_WINDOW_MS - 2000))
    const retired = await idleFigures(node.child.pid!)
    const row = (state: string, f: IdleFigures) => ({
      state,
      'cpu % of a core': fmt((f.cpuMs / IDLE_WINDOW_MS) * 100, 2),
      'RSS MB (sum)': fmt(f.rssMb, 1),
      'footprint MB': fmt(f.footprintMb, 1),
      'manager own MB': fmt(f.nmPrivateMb, 1),
      'host own MB': fmt(f.hostPrivateMb, 1),
    })
    console.log(
      `\nnode manager + sandbox host, over ${IDLE_WINDOW_MS / 1000} s (footprint: memory only they hold, shared pages once):`,
    )
    console.table([
      row('idle, just started (no sandbox host until a program runs)', fresh),
      row(`${SLEEPING} vessels sleeping`, busy),
      row('those vessels stopped', stopped),
      row('idle, a minute after the last program (sandbox host stopped)', retired),
    ])
    const alone = await waitingFootprint(0, false)
    const threads = await waitingFootprint(SLEEPING, false)
    const engines = await waitingFootprint(SLEEPING, true)
    console.log(
      `floor: a Node process waiting, footprint ${fmt(alone, 1)} MB; with ${SLEEPING} bare worker threads waiting ` +
        `(a vessel thread's limits) ${fmt(threads, 1)} MB: ${fmt((threads - alone) / SLEEPING, 1)} MB a thread; ` +
        `with a QuickJS engine made in each ${fmt(engines, 1)} MB: ${fmt((engines - threads) / SLEEPING, 1)} MB more a thread`,
    )
  } finally {
    await transport.close()
    node.child.kill('SIGTERM')
    await new Promise((r) => node.child.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}
