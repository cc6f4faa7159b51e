// Guest networking speed (issue: speed where a testbed needs it), next to plain Node sockets in the same run: TCP
// echo over 127.0.0.1, 10 MiB each way in 4 KiB chunks, and 4 KiB lock-step ping-pong (2000 round trips). Each is
// written the Repy way (non-blocking calls, sleep(0.0001) when a pass did nothing) and with the awaitable calls
// (recvAsync, sendAsync), and runs between two threads of one program (a direct connection: the bytes go through
// shared memory) and against a Node echo server outside the sandbox (the bytes go through the host's sockets).
// Also how long sleep(0.0001) sleeps, and what one host call costs in bare QuickJS here, which bounds the guest; the
// awaitable echo in bare QuickJS (the same program, its connections the guest's own arrays) and in parts (one 4 KiB
// exchange each way, sync and awaited), which say how much of a guest's time is the sandbox's calls.
// Throughput is the bytes sent one way over the whole exchange's time. Each figure is given by wall time and by cpu
// time (the vessel worker thread's for a guest, this process's for plain Node): on a machine shared with other work
// the wall figure mostly says how often the thread got a core. The guests run one after another in a node's sandbox
// host (bench-host.ts), warmed up as a node's is, and each runs its exchange eight times: the first pass pays for
// the vessel's fresh worker (its host code not yet optimized by V8), the medians of the last four show what that
// settles at.
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import { newQuickJSWASMModule, type QuickJSHandle } from 'quickjs-emscripten'
import { newHostFunction } from '../../src/runtime/host-function.js'
import { threadCpuSeconds } from '../../src/runtime/nanny/thread-cpu.js'
import { netRestrictions } from '../runtime/api/fixtures/net-helpers.js'
import { BenchHost } from './bench-host.js'
import { fmt, median } from './stats.js'

const CHUNK = 4096
const TOTAL = 10 * 1024 * 1024
const ROUND_TRIPS = 2000
const SLEEPS = 1000
const CALLS = 20_000
/** Rounds of each part of the awaitable echo. */
const PARTS = 20_000
/** Ports 21250-21269. */
const PORT = 21250
const MB = 1e6

// ---- plain Node sockets, both ends in this process ----

async function nodePair(port: number): Promise<{ client: net.Socket; server: net.Socket; close: () => void }> {
  const listener = net.createServer()
  await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve))
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve))
  const client = net.connect({ port, host: '127.0.0.1' })
  await new Promise((resolve) => client.once('connect', resolve))
  const server = await accepted
  client.setNoDelay(true)
  server.setNoDelay(true)
  return {
    client,
    server,
    close: () => {
      client.destroy()
      server.destroy()
      listener.close()
    },
  }
}

/** Echoes what arrives: the peer of the Node figures, and the outside server for the guest. */
const echoBack = (socket: net.Socket) => {
  socket.setNoDelay(true)
  socket.on('error', () => {})
  socket.on('data', (d: Buffer) => {
    if (!socket.write(d)) {
      socket.pause()
      socket.once('drain', () => socket.resume())
    }
  })
}

/** Wall and cpu seconds per unit: the vessel worker thread's cpu for a guest, this process's for plain Node. */
interface Figures {
  seconds: number
  cpu: number
}

const cpuNow = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

/** Seconds to send TOTAL bytes in CHUNK writes and receive them echoed back. */
async function nodeEcho(port: number): Promise<Figures> {
  const { client, server, close } = await nodePair(port)
  echoBack(server)
  const block = Buffer.alloc(CHUNK, 120)
  const t0 = performance.now()
  const cpu0 = cpuNow()
  let received = 0
  const done = new Promise<void>((resolve) =>
    client.on('data', (d: Buffer) => {
      received += d.length
      if (received >= TOTAL) resolve()
    }),
  )
  for (let sent = 0; sent < TOTAL; sent += CHUNK) {
    if (!client.write(block)) await new Promise((resolve) => client.once('drain', resolve))
  }
  await done
  const figures = { seconds: (performance.now() - t0) / 1000, cpu: cpuNow() - cpu0 }
  close()
  return figures
}

/** Seconds per round trip of CHUNK bytes, one at a time. */
async function nodePingPong(port: number): Promise<Figures> {
  const { client, server, close } = await nodePair(port)
  echoBack(server)
  const block = Buffer.alloc(CHUNK, 120)
  let received = 0
  let wake: () => void = () => {}
  client.on('data', (d: Buffer) => {
    received += d.length
    if (received >= CHUNK) wake()
  })
  const t0 = performance.now()
  const cpu0 = cpuNow()
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const back = new Promise<void>((resolve) => {
      wake = resolve
    })
    client.write(block)
    await back
    received -= CHUNK
  }
  const figures = { seconds: (performance.now() - t0) / 1000 / ROUND_TRIPS, cpu: (cpuNow() - cpu0) / ROUND_TRIPS }
  close()
  return figures
}

async function nodeSleep(): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < SLEEPS; i++) await new Promise((resolve) => setTimeout(resolve, 0.1))
  return (performance.now() - t0) / 1000 / SLEEPS
}

/** Seconds per call of a host function that returns a number, in bare QuickJS (no sandbox), made by
 *  quickjs-emscripten's newFunction or through the sandbox's own path (host-function.ts). */
async function bareQuickJSCall(path: 'generic' | 'host-function'): Promise<number> {
  const ctx = (await newQuickJSWASMModule()).newContext()
  const start = performance.now()
  const now = () => (performance.now() - start) / 1000
  const fn =
    path === 'generic'
      ? ctx.newFunction('getruntime', () => ctx.newNumber(now()))
      : newHostFunction(ctx, 'getruntime', now).handle
  fn.consume((f) => ctx.setProp(ctx.global, 'getruntime', f))
  const code = `(() => { let t = getruntime(); for (let i = 0; i < ${CALLS}; i++) getruntime(); return (getruntime() - t) / ${CALLS} })()`
  const seconds = ctx.unwrapResult(ctx.evalCode(code)).consume((h) => ctx.getNumber(h))
  ctx.dispose()
  return seconds
}

/** The awaitable echo of the guests below, the same program text, in bare QuickJS with connections made of the
 *  guest's own arrays: no host call, no copy of the bytes. What QuickJS itself takes for the program's awaits and
 *  threads; the rest of a guest's time is the sandbox's calls. Run twice, so that V8 has tiered QuickJS up as a
 *  node's warm-up does for its vessels; the second run's passes. */
async function bareQuickJSEcho(): Promise<Figures[]> {
  const QuickJS = await newQuickJSWASMModule()
  const channels = String.raw`
const createthread = (f) => { f() }
const end = () => ({ queue: [], waiter: null })
const socket = (mine, peer) => ({
  sendAsync(d) { const w = peer.waiter; if (w) { peer.waiter = null; w(d) } else peer.queue.push(d); return Promise.resolve(d.length) },
  recvAsync() { return mine.queue.length > 0 ? Promise.resolve(mine.queue.shift()) : new Promise((r) => { mine.waiter = r }) },
})
const ends = [end(), end()]
const c = socket(ends[0], ends[1]), a = socket(ends[1], ends[0])
const getresources = () => [null, { threadcpu: threadcpu() }]
`
  const program = `(async () => {${HELPERS}${channels}${echoThread('await', TOTAL * PASSES)}${echoClient('await')}})()`
  let figures: Figures[] = []
  for (let run = 0; run < 2; run++) {
    const ctx = QuickJS.newContext()
    let output: string | undefined
    const define = (name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle | undefined) =>
      ctx.newFunction(name, fn).consume((f) => ctx.setProp(ctx.global, name, f))
    define('getruntime', () => ctx.newNumber(performance.now() / 1000))
    define('threadcpu', () => ctx.newNumber(threadCpuSeconds()))
    define('log', (text) => {
      output = ctx.getString(text)
      return undefined
    })
    ctx.unwrapResult(ctx.evalCode(program, 'bare-echo.js')).dispose()
    while (output === undefined) {
      if (ctx.unwrapResult(ctx.runtime.executePendingJobs()) === 0) throw new Error('the bare echo stopped')
    }
    ctx.dispose()
    figures = JSON.parse(output) as Figures[]
  }
  return figures
}

// ---- guest programs ----

/** The exchanges run eight times in one program: a vessel's worker is a fresh V8 isolate, whose host code (the
 *  bridge, the socket calls) runs unoptimized at first, and V8 optimizes it over the first passes (the awaitable
 *  echo's passes in one run: 66, 160, 223, 248, 250, 262, 273, 279, 277 MB/s). The first pass is what a short
 *  program sees; the medians of the last four, what a longer one settles at. */
const PASSES = 8
const SETTLED_FROM = 4
/** The guest's clock and its worker thread's cpu at the start, and both per unit at the end (one entry of the
 *  array the program logs at its end). */
const START = `const figures = []
for (let pass = 0; pass < ${PASSES}; pass++) {
const t0 = getruntime(), cpu0 = getresources()[1].threadcpu`
const END = (units: number) =>
  `figures.push({ seconds: (getruntime() - t0) / ${units}, cpu: (getresources()[1].threadcpu - cpu0) / ${units} })
}
log(JSON.stringify(figures))`

const HELPERS = String.raw`
const CHUNK = ${CHUNK}
const block = 'x'.repeat(CHUNK)
const recvOr = (s, n) => { try { return s.recv(n) } catch (e) { if (e instanceof SocketWouldBlockError) return ''; throw e } }
const sendOr = (s, d) => { try { return s.send(d) } catch (e) { if (e instanceof SocketWouldBlockError) return 0; throw e } }
`

/** `c`, connected to the Node echo server on `server` from `port`. */
const outside = (server: number, port: number) =>
  HELPERS +
  String.raw`
const c = await openconnection('127.0.0.1', ${server}, '127.0.0.1', ${port}, 5)
`

/** HELPERS, and `c` and `a`, the two ends of a direct connection on `port`. */
const connected = (port: number) =>
  HELPERS +
  String.raw`
const srv = listenforconnection('127.0.0.1', ${port})
const c = await openconnection('127.0.0.1', ${port}, '127.0.0.1', ${port + 1}, 5)
const a = srv.getconnection()[2]
`

/** `c` and `a`, the two ends of a connection on `port`, and an echo thread on `a` (Repy style or awaitable). */
const twoThreads = (port: number, style: 'repy' | 'await', onePass: number) =>
  connected(port) + echoThread(style, onePass * PASSES)

/** The thread that echoes on `a` what arrives, `echoed` bytes in all. */
const echoThread = (style: 'repy' | 'await', echoed: number) =>
  `const ECHOED = ${echoed}\n` +
  (style === 'repy'
    ? String.raw`
createthread(async () => {
  let pending = '', echoed = 0
  while (echoed < ECHOED) {
    let did = false
    if (pending.length < 4 * CHUNK) { const d = recvOr(a, CHUNK); if (d) { pending += d; did = true } }
    if (pending) { const n = sendOr(a, pending.slice(0, CHUNK)); if (n) { pending = pending.slice(n); echoed += n; did = true } }
    if (!did) await sleep(0.0001)
  }
})
`
    : String.raw`
createthread(async () => {
  for (let echoed = 0; echoed < ECHOED;) {
    const d = await a.recvAsync(CHUNK)
    for (let off = 0; off < d.length;) off += await a.sendAsync(off ? d.slice(off) : d)
    echoed += d.length
  }
})
`)

/** The client's side of the echo on `c`. */
const echoClient = (style: 'repy' | 'await') =>
  String.raw`
const TOTAL = ${TOTAL}
${START}
` +
  (style === 'repy'
    ? String.raw`
let sent = 0, got = 0
while (got < TOTAL) {
  let did = false
  if (sent < TOTAL) { const n = sendOr(c, TOTAL - sent >= CHUNK ? block : block.slice(0, TOTAL - sent)); if (n) { sent += n; did = true } }
  const d = recvOr(c, CHUNK); if (d) { got += d.length; did = true }
  if (!did) await sleep(0.0001)
}
`
    : String.raw`
createthread(async () => { for (let sent = 0; sent < TOTAL;) sent += await c.sendAsync(TOTAL - sent >= CHUNK ? block : block.slice(0, TOTAL - sent)) })
for (let got = 0; got < TOTAL;) got += (await c.recvAsync(CHUNK)).length
`) +
  String.raw`
${END(1)}
`

/** The client's side of the ping-pong on `c`. */
const pingPongClient = (style: 'repy' | 'await') =>
  String.raw`
${START}
for (let i = 0; i < ${ROUND_TRIPS}; i++) {
` +
  (style === 'repy'
    ? String.raw`
  let sent = 0
  while (sent < CHUNK) { const n = sendOr(c, sent ? block.slice(sent) : block); if (n) sent += n; else await sleep(0.0001) }
  let got = 0
  while (got < CHUNK) { const d = recvOr(c, CHUNK - got); if (d) got += d.length; else await sleep(0.0001) }
`
    : String.raw`
  for (let sent = 0; sent < CHUNK;) sent += await c.sendAsync(sent ? block.slice(sent) : block)
  for (let got = 0; got < CHUNK;) got += (await c.recvAsync(CHUNK - got)).length
`) +
  String.raw`
}
${END(ROUND_TRIPS)}
`

/** One 4 KiB exchange on a direct connection, `body` (with \`c\` and \`a\` its ends), timed over PARTS rounds. */
const guestPart = (port: number, body: string) =>
  connected(port) +
  String.raw`${START}
for (let i = 0; i < ${PARTS}; i++) { ${body} }
${END(PARTS)}
`

export const guestEcho = (port: number, style: 'repy' | 'await') => twoThreads(port, style, TOTAL) + echoClient(style)
export const guestPingPong = (port: number, style: 'repy' | 'await') =>
  twoThreads(port, style, ROUND_TRIPS * CHUNK) + pingPongClient(style)

const guestSleep = String.raw`
${START}
for (let i = 0; i < ${SLEEPS}; i++) await sleep(0.0001)
${END(SLEEPS)}
`

const guestCall = String.raw`
${START}
for (let i = 0; i < ${CALLS}; i++) getruntime()
${END(CALLS)}
`

/** The node's host the guests run in (one vessel after another), warmed up as a node's is. */
let host: BenchHost

/** The figures of each pass. */
async function guest(source: string, ports: number[] = []): Promise<Figures[]> {
  const { output, outcome } = await host.run(source, 'main.js', netRestrictions({ conn: ports, loop: 1e12 }))
  if (outcome.code !== 0) throw new Error(`guest failed: ${outcome.reason}\n${output}`)
  return JSON.parse(output) as Figures[]
}

/** The medians of the passes from SETTLED_FROM on. */
function settled(passes: Figures[]): Figures {
  const rest = passes.slice(SETTLED_FROM)
  return { seconds: median(rest.map((p) => p.seconds)), cpu: median(rest.map((p) => p.cpu)) }
}

/** Runs `fn` against a Node echo server on `port`. */
async function withEchoServer<T>(port: number, fn: () => Promise<T>): Promise<T> {
  const server = net.createServer(echoBack)
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  try {
    return await fn()
  } finally {
    server.close()
  }
}

export async function netBench(): Promise<void> {
  const mbps = (seconds: number) => `${fmt(TOTAL / seconds / MB, 1).padStart(7)} MB/s`
  const us = (seconds: number) => `${fmt(seconds * 1e6, 1).padStart(7)} µs`
  /** The figure by wall time, and by cpu time (what it would be if the thread had a core to itself; on a loaded
   *  machine the wall figure mostly measures how often the thread got a core). */
  const one = (f: Figures, unit: (seconds: number) => string) => `${unit(f.seconds)} by cpu ${unit(f.cpu)}`
  /** A guest's passes side by side: the first, then the settled one (each figure the median of the last passes). */
  const busy = (f: Figures | Figures[], unit: (seconds: number) => string) =>
    Array.isArray(f) ? [f[0]!, settled(f)].map((p) => one(p, unit)).join('  | ') : one(f, unit)
  const ext = PORT + 19
  host = await BenchHost.start('node')
  console.log(`\nguests: first pass  | settled: medians of passes ${SETTLED_FROM + 1}-${PASSES} of one program`)

  console.log('\none host call (getruntime), for scale: what bounds the guest here')
  console.log(`  bare QuickJS, quickjs-emscripten's newFunction ${us(await bareQuickJSCall('generic'))}`)
  console.log(`  bare QuickJS, the sandbox's host-call path     ${us(await bareQuickJSCall('host-function'))}`)
  const call = await guest(guestCall)
  console.log(`  guest                                          ${busy(call, us)}`)

  console.log('\nthe awaitable echo in parts: what one 4 KiB each way costs a guest thread, time per round')
  const part = async (label: string, body: string) =>
    console.log(`  ${label.padEnd(44)}  ${busy(await guest(guestPart(PORT + 16, body), [PORT + 16, PORT + 17]), us)}`)
  await part('await null (QuickJS alone)', 'await null')
  await part('c.send(block); a.recv(CHUNK)', 'c.send(block); a.recv(CHUNK)')
  await part('await c.sendAsync(block); a.recv(CHUNK)', 'await c.sendAsync(block); a.recv(CHUNK)')
  await part('c.send(block); await a.recvAsync(CHUNK)', 'c.send(block); await a.recvAsync(CHUNK)')
  await part('recvAsync waits, then c.send(block)', 'const d = a.recvAsync(CHUNK); c.send(block); await d')

  console.log(`\nsleep(0.0001), ${SLEEPS} times: time per call`)
  console.log(`  Node setTimeout(0.1 ms)                   ${us(await nodeSleep())}`)
  console.log(`  guest sleep(0.0001)                       ${busy(await guest(guestSleep), us)}`)

  console.log(
    `\nTCP echo over 127.0.0.1, ${TOTAL / 1024 / 1024} MiB each way in ${CHUNK / 1024} KiB chunks (goals: guest >= 150 MB/s Repy style, >= 300 MB/s awaitable)`,
  )
  console.log(`  ${'Node sockets'.padEnd(40)}  ${busy(await nodeEcho(PORT), mbps)}`)
  const echo = async (label: string, source: string, ports: number[]) =>
    console.log(`  ${label.padEnd(40)}  ${busy(await guest(source, ports), mbps)}`)
  await echo('guest, two threads, Repy style', guestEcho(PORT + 2, 'repy'), [PORT + 2, PORT + 3])
  await echo('guest, two threads, awaitable', guestEcho(PORT + 4, 'await'), [PORT + 4, PORT + 5])
  console.log(`  ${'bare QuickJS, the same awaits, no host'.padEnd(40)}  ${busy(await bareQuickJSEcho(), mbps)}`)
  await withEchoServer(ext, async () => {
    await echo('guest to a Node echo server, Repy style', outside(ext, PORT + 6) + echoClient('repy'), [PORT + 6])
    await echo('guest to a Node echo server, awaitable', outside(ext, PORT + 7) + echoClient('await'), [PORT + 7])
  })

  console.log(
    `\n${CHUNK / 1024} KiB ping-pong over 127.0.0.1, ${ROUND_TRIPS} round trips: time per round trip (goals: guest <= 100 µs Repy style, <= 50 µs awaitable)`,
  )
  console.log(`  ${'Node sockets'.padEnd(40)}  ${busy(await nodePingPong(PORT + 8), us)}`)
  const pingPong = async (label: string, source: string, ports: number[]) =>
    console.log(`  ${label.padEnd(40)}  ${busy(await guest(source, ports), us)}`)
  await pingPong('guest, two threads, Repy style', guestPingPong(PORT + 10, 'repy'), [PORT + 10, PORT + 11])
  await pingPong('guest, two threads, awaitable', guestPingPong(PORT + 12, 'await'), [PORT + 12, PORT + 13])
  await withEchoServer(ext, async () => {
    await pingPong('guest to a Node echo server, Repy style', outside(ext, PORT + 14) + pingPongClient('repy'), [
      PORT + 14,
    ])
    await pingPong('guest to a Node echo server, awaitable', outside(ext, PORT + 15) + pingPongClient('await'), [
      PORT + 15,
    ])
  })
  await host.close()
}
