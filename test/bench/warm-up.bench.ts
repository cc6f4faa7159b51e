// The engine's warm-up (src/runtime/engine-warm-up.ts): a guest's first long loop in a fresh host for one program
// (what `flotilla run` and the tests use: no warm-up) next to the same loop as the first vessel of a node's host
// (long-lived: warmed up at its start), and, as the baseline, the same loop run a third time in the same program.
// Each is the program's own thread cpu (getresources()'s `threadcpu`), which other load barely changes. Also what
// the warm-up costs: the host's process cpu from its start until it is idle, with and without.
import { BenchHost } from './bench-host.js'
import { cpuMs } from './proc-stats.js'
import { SUM_OF_SQUARES_JS, SUM_OF_SQUARES_PY } from './repy.bench.js'
import { UNLIMITED_RESTRICTIONS } from './runtime.bench.js'
import { fmt, median } from './stats.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 5)
/** Time for V8 to finish its background compiles after a node's host's warm-up, before the vessel starts; both
 *  hosts wait as long once ready, so that their cpu until then compares. */
const SETTLE_MS = 3000
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const JS = `
${SUM_OF_SQUARES_JS}
const cpu = () => getresources()[1].threadcpu
const runs = []
for (let k = 0; k < 3; k++) { const c = cpu(); sumOfSquares(3000000); runs.push(cpu() - c) }
log(JSON.stringify(runs))
`
const PY = `${SUM_OF_SQUARES_PY}
runs = []
for k in range(3):
  c = getresources()[1]["threadcpu"]
  sum_of_squares(3000000)
  runs.append(getresources()[1]["threadcpu"] - c)
log(str(runs))
`

interface HostRun {
  /** Thread cpu seconds of each of the three loops. */
  loops: number[]
  /** The host's process cpu (ms) from its start until the vessel started (a node's host: its warm-up included). */
  hostCpuBefore: number
}

async function runIn(kind: 'node' | 'one-program', program: 'loop.js' | 'loop.r2py'): Promise<HostRun> {
  const host = await BenchHost.start(kind)
  await sleep(SETTLE_MS)
  const hostCpuBefore = cpuMs(host.pid)
  const { output, outcome } = await host.run(program.endsWith('.js') ? JS : PY, program, UNLIMITED_RESTRICTIONS)
  await host.close()
  if (outcome.code !== 0) throw new Error(`${program} failed: ${outcome.reason}`)
  return { loops: JSON.parse(output) as number[], hostCpuBefore }
}

export async function warmUpBench(): Promise<void> {
  for (const program of ['loop.js', 'loop.r2py'] as const) {
    const fresh: HostRun[] = []
    const warmed: HostRun[] = []
    for (let i = 0; i < RUNS; i++) {
      fresh.push(await runIn('one-program', program))
      warmed.push(await runIn('node', program))
    }
    const first = (runs: HostRun[]) => median(runs.map((r) => r.loops[0]!))
    const third = median([...fresh, ...warmed].map((r) => r.loops[2]!))
    console.log(`\n${program}: 3,000,000 × total += i*i, thread cpu, median of ${RUNS} (alternating hosts)`)
    console.log(`  first run, fresh host (flotilla run)     ${fmt(first(fresh), 3)} s  ${fmt(first(fresh) / third)}x`)
    console.log(`  first run, node's host (warmed up)       ${fmt(first(warmed), 3)} s  ${fmt(first(warmed) / third)}x`)
    console.log(`  third run in the same program (baseline) ${fmt(third, 3)} s`)
    if (program === 'loop.js') {
      const before = (runs: HostRun[]) => median(runs.map((r) => r.hostCpuBefore))
      console.log(
        `  host process cpu before the vessel: fresh ${fmt(before(fresh), 0)} ms, node's ${fmt(before(warmed), 0)} ms` +
          ` (${SETTLE_MS} ms after it was ready)`,
      )
    }
  }
}
