// Repy (.r2py) benchmarks (issue: run Repy programs): the same CPU-bound loop as a .r2py program and as a .js
// program on Flotilla, in one run, plus a function-call-heavy loop and hello world start to exit for both.
// For reference, Repy V2 on CPython 2.7 ran `for i in xrange(3000000): total += i*i` in a function in about 0.10 s.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
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

const PY = `
def sum_of_squares(n):
  total = 0
  for i in xrange(n):
    total += i*i
  return total

def add(a, b):
  return a + b

def calls(n):
  x = 0
  i = 0
  while i < n:
    x = add(x, i)
    i += 1
  return x

t = getruntime()
total = sum_of_squares(${LOOP})
loop = getruntime() - t
t = getruntime()
calls(${CALLS})
call = getruntime() - t
log('{"loop": %f, "call": %f, "total": "%d"}' % (loop, call, total))
`

const JS = `
function sumOfSquares(n) { let total = 0; for (let i = 0; i < n; i++) total += i * i; return total }
function add(a, b) { return a + b }
function calls(n) { let x = 0; let i = 0; while (i < n) { x = add(x, i); i += 1 } return x }
let t = getruntime()
const total = sumOfSquares(${LOOP})
const loop = getruntime() - t
t = getruntime()
calls(${CALLS})
const call = getruntime() - t
log(JSON.stringify({ loop, call, total: String(total) }))
`

interface Figures {
  loop: number
  call: number
  total: string
}

async function measure(source: string, program: string): Promise<Figures> {
  const run = await runGuest(source, { program, timeoutMs: 300_000, restrictions: UNLIMITED_RESTRICTIONS })
  if (run.outcome.code !== 0) throw new Error(`${program} failed: ${run.outcome.reason}`)
  return JSON.parse(run.output) as Figures
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
  for (let i = 0; i < RUNS; i++) {
    py.push(await measure(PY, 'bench.r2py'))
    js.push(await measure(JS, 'bench.js'))
  }
  const m = (xs: Figures[], k: 'loop' | 'call') => median(xs.map((x) => x[k]))
  console.log(`\nmedian of ${RUNS} runs, alternating .r2py and .js:`)
  console.log(
    `  for i in xrange(${LOOP}): total += i*i   .r2py ${fmt(m(py, 'loop'), 3)} s   .js ${fmt(m(js, 'loop'), 3)} s   ratio ${fmt(m(py, 'loop') / m(js, 'loop'))}x   (Repy V2 on CPython 2.7: about 0.10 s)`,
  )
  console.log(
    `  per iteration                           .r2py ${fmt((m(py, 'loop') / LOOP) * 1e9, 1)} ns   .js ${fmt((m(js, 'loop') / LOOP) * 1e9, 1)} ns`,
  )
  console.log(
    `  ${CALLS} calls of add(a, b)              .r2py ${fmt(m(py, 'call'), 3)} s   .js ${fmt(m(js, 'call'), 3)} s   ratio ${fmt(m(py, 'call') / m(js, 'call'))}x`,
  )
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
}
