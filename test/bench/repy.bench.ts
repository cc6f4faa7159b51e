// Repy (.r2py) benchmarks (issue: run Repy programs): the same CPU-bound loop as a .r2py program and as a .js
// program on Flotilla, in one run, plus a function-call-heavy loop, uncontended lock acquire + release,
// getruntime(), a loop at the program's top level (its names globals) and hello world start to exit for both. Each
// part is timed in the program's own thread cpu time (getresources()'s `threadcpu`), which other load on the machine
// barely changes, and in wall time (getruntime()). Each program runs
// its parts twice and reports the second pass: the first runs while V8 has not yet optimized QuickJS's interpreter
// (up to 5 times slower, see src/runtime/engine-warm-up.ts), which would hide the difference between the two.
// With REPY_V2 naming a runnable Repy V2 (scripts/assemble-repy.sh), the same .r2py program also runs on the real
// Repy in the same run (REPY_PYTHON: its Python 2.7, default `python2.7`; with pyenv, PYENV_VERSION=2.7.18).
// Without it, the figures printed for reference were measured on a 2-core machine: the loop 0.096-0.120 s,
// 300,000 calls of add(a, b) 0.020 s, lock acquire + release 11-13 us, getruntime() 18-20 us.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { runGuest } from '../helpers/run-guest.js'
import { UNLIMITED_RESTRICTIONS } from './runtime.bench.js'
import { fmt, median } from './stats.js'

const ROOT = new URL('../../', import.meta.url).pathname
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const LOOP = 3_000_000
const CALLS = 300_000
const LOCKS = 100_000
const CLOCKS = 100_000
/** Steps of a loop at the program's top level, where its names are globals (a Repy program's usual main code). */
const GLOBALS = 300_000

/** The loop both benchmarks time (also warm-up.bench.ts), as Python and as JavaScript. */
export const SUM_OF_SQUARES_PY = `
def sum_of_squares(n):
  total = 0
  for i in xrange(n):
    total += i*i
  return total
`
export const SUM_OF_SQUARES_JS =
  'function sumOfSquares(n) { let total = 0; for (let i = 0; i < n; i++) total += i * i; return total }'

const PY = `${SUM_OF_SQUARES_PY}

def add(a, b):
  return a + b

def calls(n):
  x = 0
  i = 0
  while i < n:
    x = add(x, i)
    i += 1
  return x

def locks(n):
  lock = createlock()
  for i in xrange(n):
    lock.acquire(True)
    lock.release()

def clocks(n):
  for i in xrange(n):
    getruntime()

def cpu():
  return getresources()[1]["threadcpu"]

for p in range(2):
  t, c = getruntime(), cpu()
  total = sum_of_squares(${LOOP})
  loop, loop_cpu = getruntime() - t, cpu() - c
  t, c = getruntime(), cpu()
  calls(${CALLS})
  call, call_cpu = getruntime() - t, cpu() - c
  t, c = getruntime(), cpu()
  locks(${LOCKS})
  lock, lock_cpu = getruntime() - t, cpu() - c
  t, c = getruntime(), cpu()
  clocks(${CLOCKS})
  clock, clock_cpu = getruntime() - t, cpu() - c
  t, c = getruntime(), cpu()
  g = 0
  for gi in xrange(${GLOBALS}):
    g = g + gi
  glob, glob_cpu = getruntime() - t, cpu() - c
log('{"loop": %f, "call": %f, "lock": %f, "clock": %f, "glob": %f, "loopCpu": %f, "callCpu": %f, "lockCpu": %f, "clockCpu": %f, "globCpu": %f, "total": "%d"}' % (
    loop, call, lock, clock, glob, loop_cpu, call_cpu, lock_cpu, clock_cpu, glob_cpu, total))
`

const JS = `
${SUM_OF_SQUARES_JS}
function add(a, b) { return a + b }
function calls(n) { let x = 0; let i = 0; while (i < n) { x = add(x, i); i += 1 } return x }
function locks(n) { const lock = createlock(); for (let i = 0; i < n; i++) { lock.acquire(true); lock.release() } }
function clocks(n) { for (let i = 0; i < n; i++) getruntime() }
const cpu = () => getresources()[1].threadcpu
let t, c, total, loop, loopCpu, call, callCpu, lock, lockCpu, clock, clockCpu, glob, globCpu, g
for (let p = 0; p < 2; p++) {
  t = getruntime(); c = cpu()
  total = sumOfSquares(${LOOP})
  loop = getruntime() - t; loopCpu = cpu() - c
  t = getruntime(); c = cpu()
  calls(${CALLS})
  call = getruntime() - t; callCpu = cpu() - c
  t = getruntime(); c = cpu()
  locks(${LOCKS})
  lock = getruntime() - t; lockCpu = cpu() - c
  t = getruntime(); c = cpu()
  clocks(${CLOCKS})
  clock = getruntime() - t; clockCpu = cpu() - c
  t = getruntime(); c = cpu()
  g = 0
  for (let gi = 0; gi < ${GLOBALS}; gi++) g = g + gi
  glob = getruntime() - t; globCpu = cpu() - c
}
log(JSON.stringify({ loop, call, lock, clock, glob, loopCpu, callCpu, lockCpu, clockCpu, globCpu, total: String(total) }))
`

interface Figures {
  loop: number
  call: number
  lock: number
  clock: number
  glob: number
  loopCpu: number
  callCpu: number
  lockCpu: number
  clockCpu: number
  globCpu: number
  total: string
}
type Part = Exclude<keyof Figures, 'total'>

async function measure(source: string, program: string): Promise<Figures> {
  const run = await runGuest(source, { program, timeoutMs: 300_000, restrictions: UNLIMITED_RESTRICTIONS })
  if (run.outcome.code !== 0) throw new Error(`${program} failed: ${run.outcome.reason}`)
  return JSON.parse(run.output) as Figures
}

const REPY_V2 = process.env.REPY_V2
const REPY_PYTHON = process.env.REPY_PYTHON ?? 'python2.7'
/** Repy's own restrictions format; it refuses a file that leaves out a resource it knows. */
const REPY_RESTRICTIONS = `${UNLIMITED_RESTRICTIONS}resource messport 12345\nresource connport 12345\n`

/** The .r2py program on the real Repy V2; its usage has `threadcpu` too (at 10 ms granularity). */
function measureRepy(dir: string): Figures {
  // Repy ends itself with SIGTERM once the program is done (harshexit), so the exit status says nothing here.
  const out = spawnSync(REPY_PYTHON, [join(REPY_V2!, 'repy.py'), 'restrictions', 'bench.r2py'], {
    cwd: dir,
    encoding: 'utf8',
  }).stdout
  const json = /\{.*\}/.exec(out)
  if (!json) throw new Error(`Repy V2 printed no figures: ${out.slice(0, 500)}`)
  return JSON.parse(json[0]) as Figures
}

function startToExit(file: string, restrictions: string): number {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    execFileSync('node', [join(ROOT, 'bin/flotilla'), 'run', restrictions, file], { stdio: 'pipe' })
    times.push(performance.now() - t0)
  }
  return median(times)
}

export async function repyBench(): Promise<void> {
  const py: Figures[] = []
  const js: Figures[] = []
  const repy: Figures[] = []
  const repyDir = mkdtempSync(join(tmpdir(), 'flotilla-bench-repy-'))
  writeFileSync(join(repyDir, 'restrictions'), REPY_RESTRICTIONS)
  writeFileSync(join(repyDir, 'bench.r2py'), PY)
  for (let i = 0; i < RUNS; i++) {
    py.push(await measure(PY, 'bench.r2py'))
    js.push(await measure(JS, 'bench.js'))
    if (REPY_V2) repy.push(measureRepy(repyDir))
  }
  const m = (xs: Figures[], k: Part) => median(xs.map((x) => x[k]))
  const row = (
    what: string,
    k: 'loop' | 'call' | 'lock' | 'clock' | 'glob',
    unit: 's' | 'us',
    per = 1,
    reported = '',
  ) => {
    const scale = unit === 'us' ? 1e6 / per : 1
    const digits = unit === 'us' ? 2 : 3
    const part = (suffix: '' | 'Cpu', label: string) => {
      const key = `${k}${suffix}` as Part
      const [p, j] = [m(py, key) * scale, m(js, key) * scale]
      return `${label} .r2py ${fmt(p, digits)} ${unit}  .js ${fmt(j, digits)} ${unit}  ratio ${fmt(p / j)}x`
    }
    const real = (suffix: '' | 'Cpu') => {
      const r = m(repy, `${k}${suffix}` as Part) * scale
      return `   Repy V2 ${fmt(r, digits)} ${unit}, .r2py / Repy V2 ${fmt((m(py, `${k}${suffix}` as Part) * scale) / r)}x`
    }
    console.log(`  ${what}`)
    const reference = reported ? `   (Repy V2 on CPython 2.7, measured before: ${reported})` : ''
    console.log(`    ${part('Cpu', 'cpu ')}${repy.length ? real('Cpu') : reference}`)
    console.log(`    ${part('', 'wall')}${repy.length ? real('') : ''}`)
  }
  const beside = REPY_V2 ? ', real Repy V2 beside them' : ''
  console.log(`\nmedian of ${RUNS} runs, alternating .r2py and .js${beside}; thread cpu time and wall time:`)
  row(`for i in xrange(${LOOP}): total += i*i`, 'loop', 's', 1, '0.096-0.120 s')
  row(`${CALLS} calls of add(a, b)`, 'call', 's', 1, '0.020 s')
  row(`lock acquire + release, uncontended (per pair, ${LOCKS} pairs)`, 'lock', 'us', LOCKS, '11-13 us')
  row(`getruntime() (per call, ${CLOCKS} calls)`, 'clock', 'us', CLOCKS, '18-20 us')
  row(`g = g + i at the top level, globals (per step, ${GLOBALS} steps)`, 'glob', 'us', GLOBALS)
  console.log(`  totals: .r2py ${py[0]!.total} (exact)   .js ${js[0]!.total} (a double)`)

  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-'))
  writeFileSync(join(dir, 'r.txt'), UNLIMITED_RESTRICTIONS)
  writeFileSync(join(dir, 'hello.r2py'), 'log("Hello World\\n")\n')
  writeFileSync(join(dir, 'hello.js'), "log('Hello World\\n')\n")
  const [hpy, hjs] = [
    startToExit(join(dir, 'hello.r2py'), join(dir, 'r.txt')),
    startToExit(join(dir, 'hello.js'), join(dir, 'r.txt')),
  ]
  console.log(`  hello world start to exit (flotilla run) .r2py ${fmt(hpy, 0)} ms   .js ${fmt(hjs, 0)} ms`)
  for (const d of [repyDir, dir]) rmSync(d, { recursive: true, force: true })
}
