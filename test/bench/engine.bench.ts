// The engine as a choice (issue: speed where a testbed needs it): the QuickJS build the sandbox runs
// (quickjs-emscripten's RELEASE_SYNC) next to the QuickJS-NG build of the same package family, on the work guests
// do: a numeric loop, calls, strings, JSON, objects, BigInt (Repy's longs), generators (Repy's blocking calls),
// loading the Repy runtime script, and one host call. Both engines run each workload in alternation, in fresh
// runtimes, with an interrupt handler installed as the sandbox installs one. The figure is the median of the
// process's cpu time (all its threads: WebAssembly tier-up and the collector count), which a busy machine moves
// far less than wall time (in one run under load 12, wall-time ratios moved by up to 2x between two runs).
import { readFileSync } from 'node:fs'
import NG_VARIANT from '@jitl/quickjs-ng-wasmfile-release-sync'
import {
  newQuickJSWASMModuleFromVariant,
  RELEASE_SYNC,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten'
import { fmt, median } from './stats.js'

const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 7)
const REPY_RUNTIME = readFileSync(new URL('../../dist/repy/guest-runtime.js', import.meta.url), 'utf8')
const HOST_CALLS = 100_000
// The package's types describe its CommonJS build, whose default export TypeScript sees as the module; imported as
// ESM (its index.mjs), the default export is the variant itself.
const NG_RELEASE_SYNC = NG_VARIANT as unknown as QuickJSSyncVariant

const WORKLOADS: Record<string, string> = {
  'loop: 3,000,000 × total += i*i': 'let t = 0; for (let i = 0; i < 3000000; i++) t += i * i',
  'calls: 300,000 × add(a, b)':
    'function add(a, b) { return a + b }; let t = 0; for (let i = 0; i < 300000; i++) t = add(t, i)',
  'strings: 100,000 pushes and a join': "const a = []; for (let i = 0; i < 100000; i++) a.push('x' + i); a.join(',')",
  'JSON: 30,000 × stringify(parse(stringify(o)))':
    "const o = { a: [1, 2, 3], b: 'hello', c: { d: 1.5 } }; for (let i = 0; i < 30000; i++) JSON.stringify(JSON.parse(JSON.stringify(o)))",
  'objects: 200,000 Map sets': "const m = new Map(); for (let i = 0; i < 200000; i++) m.set('k' + (i % 1000), { i })",
  'BigInt: 300,000 × t += i*i': 'let t = 0n; for (let i = 0n; i < 300000n; i++) t += i * i',
  'generators: 300,000 yields':
    'function* g(n) { for (let i = 0; i < n; i++) yield i }; let t = 0; for (const x of g(300000)) t += x',
  'load the Repy runtime script': REPY_RUNTIME,
}

/** Cpu milliseconds of this process since `start` (from process.cpuUsage()). */
const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1000
}

/** Cpu milliseconds to evaluate `code` in a fresh runtime and context. */
function timeEval(mod: QuickJSWASMModule, code: string): number {
  const rt = mod.newRuntime()
  rt.setInterruptHandler(() => false)
  const ctx = rt.newContext()
  try {
    const start = process.cpuUsage()
    const result = ctx.evalCode(`(function () { ${code} })()`, 'bench.js')
    const ms = cpuMsSince(start)
    if (result.error) {
      const message = JSON.stringify(ctx.dump(result.error))
      result.error.dispose()
      throw new Error(`the workload failed: ${message}`)
    }
    result.value.dispose()
    return ms
  } finally {
    ctx.dispose()
    rt.dispose()
  }
}

/** Cpu microseconds per call of a host function that returns undefined. */
function timeHostCall(mod: QuickJSWASMModule): number {
  const rt = mod.newRuntime()
  const ctx = rt.newContext()
  try {
    ctx.newFunction('h', () => ctx.undefined).consume((fn) => ctx.setProp(ctx.global, 'h', fn))
    const start = process.cpuUsage()
    ctx.unwrapResult(ctx.evalCode(`for (let i = 0; i < ${HOST_CALLS}; i++) h()`)).dispose()
    return (cpuMsSince(start) * 1000) / HOST_CALLS
  } finally {
    ctx.dispose()
    rt.dispose()
  }
}

export async function engineBench(): Promise<void> {
  const engines = {
    quickjs: await newQuickJSWASMModuleFromVariant(RELEASE_SYNC),
    'quickjs-ng': await newQuickJSWASMModuleFromVariant(NG_RELEASE_SYNC),
  }
  const samples = new Map<string, { quickjs: number[]; 'quickjs-ng': number[] }>()
  const record = (name: string, engine: keyof typeof engines, value: number) => {
    const entry = samples.get(name) ?? { quickjs: [], 'quickjs-ng': [] }
    entry[engine].push(value)
    samples.set(name, entry)
  }
  // the first round of each engine warms its WebAssembly code (tier-up), so it is left out
  for (let round = 0; round <= ROUNDS; round++) {
    for (const engine of ['quickjs', 'quickjs-ng'] as const) {
      for (const [name, code] of Object.entries(WORKLOADS)) {
        const ms = timeEval(engines[engine], code)
        if (round > 0) record(`${name} (cpu ms)`, engine, ms)
      }
      const us = timeHostCall(engines[engine])
      if (round > 0) record('one host call (cpu µs)', engine, us)
    }
  }
  console.table(
    [...samples].map(([measure, s]) => ({
      measure,
      quickjs: fmt(median(s.quickjs)),
      'quickjs-ng': fmt(median(s['quickjs-ng'])),
      'ng / quickjs': fmt(median(s['quickjs-ng']) / median(s.quickjs)),
    })),
  )
}
