// Runtime benchmarks (issue: restricted runtime): start-to-exit of hello world through `flotilla run` next to
// `node -e`, and the cost of API calls and of a CPU-bound loop inside the guest, next to the same code in bare
// QuickJS (same WebAssembly build, no sandbox) and in Node's V8, all in one run.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, openSync, readSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { newQuickJSWASMModule } from 'quickjs-emscripten'
import { runGuest, GENEROUS_RESTRICTIONS } from '../helpers/run-guest.js'

/** Quotas far above what the benchmark uses, so accounting runs but never makes the program wait. */
export const UNLIMITED_RESTRICTIONS = GENEROUS_RESTRICTIONS.replace(
  /resource (fileread|filewrite|lograte) \d+/g,
  'resource $1 1000000000000',
)
import { fmt, median } from './stats.js'

const ROOT = new URL('../../', import.meta.url).pathname
const RUNS = Number(process.env.BENCH_RUNS ?? 11)
const CALLS = 100_000
const LOOP = 3_000_000

function timeCommand(cmd: string, args: string[]): number[] {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    execFileSync(cmd, args, { stdio: 'pipe' })
    times.push(performance.now() - t0)
  }
  return times
}

/** The CPU-bound loop, the same function in the guest, in bare QuickJS and in V8. */
const SUM_OF_SQUARES =
  'function sumOfSquares(n) { let total = 0; for (let i = 0; i < n; i++) total += i * i; return total }'

const GUEST_CALLS = `
${SUM_OF_SQUARES}
const f = openfile('data.bin', true); f.writeat('x'.repeat(4096), 0)
let t = getruntime(); for (let i = 0; i < ${CALLS}; i++) getruntime(); const rt = getruntime() - t
t = getruntime(); for (let i = 0; i < ${CALLS}; i++) f.readat(16, 0); const rd = getruntime() - t
t = getruntime(); sumOfSquares(${LOOP}); const loop = getruntime() - t
log(JSON.stringify({ rt, rd, loop }))
`

async function bareQuickJS(file: string): Promise<{ rt: number; rd: number; loop: number }> {
  const QuickJS = await newQuickJSWASMModule()
  const ctx = QuickJS.newContext()
  const start = performance.now()
  const fd = openSync(file, 'r')
  ctx
    .newFunction('getruntime', () => ctx.newNumber((performance.now() - start) / 1000))
    .consume((f) => ctx.setProp(ctx.global, 'getruntime', f))
  ctx
    .newFunction('readat', (n, off) => {
      const buf = Buffer.alloc(ctx.getNumber(n))
      readSync(fd, buf, 0, buf.length, ctx.getNumber(off))
      return ctx.newString(buf.toString('latin1'))
    })
    .consume((f) => ctx.setProp(ctx.global, 'readat', f))
  const code = `${SUM_OF_SQUARES}
  (() => {
    let t = getruntime(); for (let i = 0; i < ${CALLS}; i++) getruntime(); const rt = getruntime() - t
    t = getruntime(); for (let i = 0; i < ${CALLS}; i++) readat(16, 0); const rd = getruntime() - t
    t = getruntime(); sumOfSquares(${LOOP}); const loop = getruntime() - t
    return JSON.stringify({ rt, rd, loop }) })()`
  const out = ctx.unwrapResult(ctx.evalCode(code)).consume((h) => ctx.getString(h))
  ctx.dispose()
  return JSON.parse(out) as { rt: number; rd: number; loop: number }
}

function v8(file: string): { rt: number; rd: number; loop: number } {
  const start = performance.now()
  const getruntime = () => (performance.now() - start) / 1000
  const fd = openSync(file, 'r')
  const readat = (n: number, off: number) => {
    const b = Buffer.alloc(n)
    readSync(fd, b, 0, n, off)
    return b.toString('latin1')
  }
  let t = getruntime()
  for (let i = 0; i < CALLS; i++) getruntime()
  const rt = getruntime() - t
  t = getruntime()
  for (let i = 0; i < CALLS; i++) readat(16, 0)
  const rd = getruntime() - t
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the same source text the guests run, compiled by V8
  const sumOfSquares = (new Function(`${SUM_OF_SQUARES}; return sumOfSquares`) as () => (n: number) => number)()
  t = getruntime()
  const total = sumOfSquares(LOOP)
  const loop = getruntime() - t
  if (total < 0) console.log(total)
  return { rt, rd, loop }
}

export async function runtimeBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-'))
  writeFileSync(join(dir, 'r.txt'), GENEROUS_RESTRICTIONS)
  writeFileSync(join(dir, 'hello.js'), "log('Hello World\\n')\n")
  const flotilla = timeCommand('node', [join(ROOT, 'bin/flotilla'), 'run', join(dir, 'r.txt'), join(dir, 'hello.js')])
  const nodeE = timeCommand('node', ['-e', "console.log('Hello World')"])
  console.log(`\nhello world start-to-exit, median of ${RUNS} runs:`)
  console.log(`  flotilla run   ${fmt(median(flotilla), 0)} ms`)
  console.log(`  node -e        ${fmt(median(nodeE), 0)} ms   (ratio ${fmt(median(flotilla) / median(nodeE))}x)`)

  const data = join(dir, 'data.bin')
  writeFileSync(data, 'x'.repeat(4096))
  const guest: Array<{ rt: number; rd: number; loop: number }> = []
  const bare: typeof guest = []
  const native: typeof guest = []
  for (let i = 0; i < 5; i++) {
    const run = await runGuest(GUEST_CALLS, { timeoutMs: 120_000, restrictions: UNLIMITED_RESTRICTIONS })
    if (run.outcome.code !== 0) throw new Error(`guest benchmark failed: ${run.outcome.reason}`)
    guest.push(JSON.parse(run.output) as (typeof guest)[number])
    bare.push(await bareQuickJS(data))
    native.push(v8(data))
  }
  const row = (name: string, key: 'rt' | 'rd' | 'loop', per: number) => {
    const [g, b, n] = [guest, bare, native].map((xs) => (median(xs.map((x) => x[key])) / per) * 1e9)
    console.log(
      `  ${name.padEnd(22)} guest ${fmt(g!, 1).padStart(9)}   bare QuickJS ${fmt(b!, 1).padStart(9)}   V8 ${fmt(n!, 1).padStart(7)}   guest/bare ${fmt(g! / b!)}x`,
    )
  }
  console.log(`\nper call / per iteration in ns, median of 5 runs (${CALLS} calls, ${LOOP} loop iterations):`)
  row('getruntime()', 'rt', CALLS)
  row('file.readat(16, 0)', 'rd', CALLS)
  row('loop total += i*i', 'loop', LOOP)
}
