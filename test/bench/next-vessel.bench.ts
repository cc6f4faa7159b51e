// A program's first tenth of a second on a thread that an earlier vessel used (docs/ARCHITECTURE.md, 'A thread's next
// vessel'): BENCH=net's awaitable echo (10 MiB each way between two threads of one program, its first two passes) in vessel
// after vessel on a node's sandbox host, which serves them on one reused thread. Once with a pause before each start,
// long enough for the waiting thread's idle full collection (vessel-arrival.ts), as between an experimenter's starts;
// and, as the baseline in the same run, back to back. Per vessel: both passes in MB/s, and the cpu the host's other
// threads used meanwhile (V8's platform threads compiling the host's JavaScript again take the cores from the
// vessel's thread). The first two vessels of each series (a new thread's first optimizations) are not counted.
import { readFileSync, readdirSync } from 'node:fs'
import { netRestrictions } from '../runtime/api/fixtures/net-helpers.js'
import { BenchHost } from './bench-host.js'
import { guestEcho } from './net.bench.js'
import { fmt, median } from './stats.js'

const VESSELS = Number(process.env.BENCH_RUNS ?? 8)
const PAUSE_MS = 1500
/** Ports 21292-21293. */
const PORT = 21292
const MIB_EACH_WAY = 10 * 1024 * 1024

interface Vessel {
  firstMBps: number
  secondMBps: number
  otherThreadsMs: number
}

/** Cpu ms of each thread of the process, by thread id. */
function threadCpu(pid: number): Map<string, number> {
  const cpu = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      cpu.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6)
    } catch {
      /* the thread ended */
    }
  }
  return cpu
}

async function series(host: BenchHost, pauseMs: number): Promise<Vessel[]> {
  const vessels: Vessel[] = []
  for (let i = 0; i < VESSELS; i++) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs))
    const before = threadCpu(host.pid)
    const { output, outcome } = await host.run(
      guestEcho(PORT, 'await'),
      'main.js',
      netRestrictions({ conn: [PORT, PORT + 1], loop: 1e12 }),
    )
    if (outcome.code !== 0) throw new Error(`the echo failed: ${outcome.reason}\n${output}`)
    // the vessel's thread is the busiest one; the rest is the host's main thread and V8's
    const used = [...threadCpu(host.pid)].map(([tid, ms]) => ms - (before.get(tid) ?? 0)).sort((a, b) => b - a)
    const [first, second] = JSON.parse(output) as { seconds: number }[]
    vessels.push({
      firstMBps: MIB_EACH_WAY / first!.seconds / 1e6,
      secondMBps: MIB_EACH_WAY / second!.seconds / 1e6,
      otherThreadsMs: used.slice(1).reduce((sum, ms) => sum + ms, 0),
    })
  }
  return vessels.slice(2)
}

export async function nextVesselBench(): Promise<void> {
  const host = await BenchHost.start('node')
  try {
    const paused = await series(host, PAUSE_MS)
    const backToBack = await series(host, 0)
    const row = (starts: string, v: Vessel[]) => ({
      starts,
      'first pass MB/s': fmt(median(v.map((x) => x.firstMBps)), 0),
      'second pass MB/s': fmt(median(v.map((x) => x.secondMBps)), 0),
      "other threads' cpu ms": fmt(median(v.map((x) => x.otherThreadsMs)), 0),
    })
    console.log(`\nawaitable echo on a reused thread, median of vessels 3-${VESSELS} of each series:`)
    console.table([row(`${PAUSE_MS} ms apart`, paused), row('baseline: back to back', backToBack)])
  } finally {
    await host.close()
  }
}
