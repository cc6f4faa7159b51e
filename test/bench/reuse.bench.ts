// What a vessel's start and stop cost the sandbox host when the vessel runs on a thread an earlier vessel used
// (a node's host, src/runtime/vessel-threads.ts), next to the same cycles on fresh threads in the same run (a host
// for one program, which boots a thread for each vessel and reuses none). A cycle is vessel-memory.test.ts's: start a
// program that holds 8 MiB and a listening socket, read its line, stop it, see its end. The host's cpu is read from
// /proc, over all its threads; rounds alternate the two hosts so a busy machine weighs on both alike.
import { performance } from 'node:perf_hooks'
import { BenchHost } from './bench-host.js'
import { cpuMs, memory } from './proc-stats.js'
import { fmt, median } from './stats.js'
import { restrict } from '../helpers/restrict.js'

const CYCLES = Number(process.env.BENCH_CYCLES ?? 50)
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3)
/** Port 21290. */
const HOLDER = `const held = []
for (let i = 0; i < 8; i++) held.push('x'.repeat(1 << 20) + i)
const listener = listenforconnection(getmyip(), 21290)
log('holding\\n')
while (true) await sleep(1)
`
const RESTRICTIONS = restrict({}, { connport: [21290] })

interface Round {
  cpuMs: number
  wallMs: number
  rssMb: number
}

/** CYCLES start/stop cycles (after 5 not counted): host cpu and wall time per cycle, and the host's RSS after. */
async function round(host: BenchHost): Promise<Round> {
  const cycle = async () => {
    const { output, outcome } = await host.run(HOLDER, 'holder.js', RESTRICTIONS, 'holding')
    if (outcome.status !== 'Stopped') throw new Error(`the holder ended: ${outcome.reason}\n${output}`)
  }
  for (let i = 0; i < 5; i++) await cycle()
  const cpu0 = cpuMs(host.pid)
  const t0 = performance.now()
  for (let i = 0; i < CYCLES; i++) await cycle()
  return {
    cpuMs: (cpuMs(host.pid) - cpu0) / CYCLES,
    wallMs: (performance.now() - t0) / CYCLES,
    rssMb: memory(host.pid).rss / 1024,
  }
}

export async function reuseBench(): Promise<void> {
  const rounds = { reused: [] as Round[], fresh: [] as Round[] }
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of ['reused', 'fresh'] as const) {
      const host = await BenchHost.start(kind === 'reused' ? 'node' : 'one-program')
      try {
        rounds[kind].push(await round(host))
      } finally {
        await host.close()
      }
    }
  }
  console.log(`\n${CYCLES} start/stop cycles of a vessel holding 8 MiB and a socket, medians of ${ROUNDS} rounds:`)
  console.table(
    Object.entries(rounds).map(([kind, r]) => ({
      threads: kind === 'reused' ? "reused (a node's host)" : 'fresh for each vessel (baseline)',
      'host cpu ms per cycle': fmt(median(r.map((x) => x.cpuMs)), 1),
      'wall ms per cycle': fmt(median(r.map((x) => x.wallMs)), 1),
      'host RSS MB after': fmt(median(r.map((x) => x.rssMb)), 1),
    })),
  )
}
