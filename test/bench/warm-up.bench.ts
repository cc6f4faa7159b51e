// The engine's warm-up (src/runtime/engine-warm-up.ts): a guest's first long loop in a fresh host for one program
// (what `flotilla run` and the tests use: no warm-up) next to the same loop as the first vessel of a node's host
// (long-lived: warmed up at its start), and, as the baseline, the same loop run a third time in the same program.
// Each is the program's own thread cpu (getresources()'s `threadcpu`), which other load barely changes. Also what
// the warm-up costs: the host's process cpu from its start until it is idle, with and without.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FRONT_ENDS_MODULE } from '../../src/front-ends.js'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import { tempDir } from '../helpers/temp-dir.js'
import { cpuMs } from './proc-stats.js'
import { SUM_OF_SQUARES_JS, SUM_OF_SQUARES_PY } from './repy.bench.js'
import { UNLIMITED_RESTRICTIONS } from './runtime.bench.js'
import { fmt, median } from './stats.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 5)
/** Time for a node's host to finish its warm-up (and V8 its background compiles) before the vessel starts; both
 *  hosts wait as long, so that their cpu until then compares. */
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
  /** The host's process cpu (ms) from its start until the vessel started. */
  hostCpuBefore: number
}

async function runIn(longLived: boolean, program: 'loop.js' | 'loop.r2py'): Promise<HostRun> {
  const root = tempDir('flotilla-warm-up-')
  const cwd = join(root, 'v1')
  mkdirSync(cwd)
  writeFileSync(join(cwd, program), program.endsWith('.js') ? JS : PY)
  let output = ''
  let exited!: () => void
  const done = new Promise<void>((r) => (exited = r))
  const host = await SandboxHost.start(
    root,
    { output: (_id, text) => (output += text), exit: () => exited() },
    { longLived, frontEnds: FRONT_ENDS_MODULE },
  )
  await sleep(SETTLE_MS)
  const hostCpuBefore = cpuMs(host.pid!)
  host.startVessel({
    vesselId: 'v1',
    cwd,
    program,
    callargs: [],
    ip: '127.0.0.1',
    restrictions: parseRestrictions(UNLIMITED_RESTRICTIONS),
  })
  await done
  await host.shutdown()
  return { loops: JSON.parse(output) as number[], hostCpuBefore }
}

export async function warmUpBench(): Promise<void> {
  for (const program of ['loop.js', 'loop.r2py'] as const) {
    const fresh: HostRun[] = []
    const warmed: HostRun[] = []
    for (let i = 0; i < RUNS; i++) {
      fresh.push(await runIn(false, program))
      warmed.push(await runIn(true, program))
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
          ` (${SETTLE_MS} ms after start)`,
      )
    }
  }
}
