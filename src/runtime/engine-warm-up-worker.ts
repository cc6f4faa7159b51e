// The engine's warm-up, in a thread of its own (engine-warm-up.ts starts it): guest-like work in a throwaway QuickJS
// instance, so that V8 compiles QuickJS's interpreter, parser and compiler with its optimizing tier before vessels
// run on them.
import { parentPort, workerData } from 'node:worker_threads'
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSContext } from 'quickjs-emscripten'
import { PRELUDE_SOURCE } from './guest/prelude.js'
import { HostCharges } from './nanny/host-charges.js'
import { threadCpuSeconds } from './nanny/thread-cpu.js'
import { runtimeScriptsOf } from './program-loader.js'
import type { WarmUpData } from './engine-warm-up.js'

// What guests do most: loops, calls, property access, generators (Repy's blocking calls), BigInt (Repy's longs),
// strings, JSON and exceptions. One round is about 1 ms of optimized code.
const ROUND = `
  for (let i = 0; i < 1000; i++) { t = add(t, i * i); o.x = o.x + 1 }
  for (const x of g(100)) t += x
  for (let i = 0n; i < 100n; i++) s += i * i
  a.push('x' + k); if (a.length > 100) a = [JSON.stringify(a).length]
  try { null.x } catch (e) { t++ }
`
/** Enough for V8 to optimize the interpreter's hot functions (in rounds apart: V8 replaces a function's code only
 *  for its next call, so one long call would run to its end on the unoptimized code). */
const ROUNDS = 40
/** Loads of the prelude and the languages' runtime scripts, as every vessel start does: parsing the Repy runtime
 *  took 470 ms on a fresh engine, 155 ms the second time, and 45 ms once optimized (8 loads). */
const SCRIPT_ROUNDS = 8

const { quickjsModule, charges: chargesSab, frontEnds } = workerData as WarmUpData
const charges = new HostCharges(chargesSab)
const recordCpu = () => charges.recordThreadCpu(threadCpuSeconds())
recordCpu()
const scripts = [PRELUDE_SOURCE, ...(await runtimeScriptsOf(frontEnds))]
const QuickJS = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule: quickjsModule }))
const rt = QuickJS.newRuntime()
// as a vessel's runtime calls its own (vessel-worker.ts): the same path through the interpreter
rt.setInterruptHandler(() => {
  recordCpu()
  return false
})

// A result is disposed whether it holds a value or an error.
const evalIgnoringErrors = (ctx: QuickJSContext, code: string): void =>
  ctx.evalCode(code, 'flotilla:warm-up', { type: 'global', strict: true }).dispose()

const ctx = rt.newContext()
evalIgnoringErrors(
  ctx,
  `function add(a, b) { return a + b }
   function* g(n) { for (let i = 0; i < n; i++) yield i }
   let t = 0, s = 0n, o = { x: 1 }, a = []
   globalThis.round = (k) => { ${ROUND} }`,
)
const round = ctx.getProp(ctx.global, 'round')
for (let k = 0; k < ROUNDS; k++) {
  const n = ctx.newNumber(k)
  ctx.callFunction(round, ctx.undefined, n).dispose()
  n.dispose()
}
round.dispose()
ctx.dispose()

// The scripts run against a host function that answers nothing: what matters is that they are parsed and compiled
// as a vessel's start does; where one stops on a missing answer does not.
for (let k = 0; k < SCRIPT_ROUNDS; k++) {
  const scriptCtx = rt.newContext()
  evalIgnoringErrors(scriptCtx, 'globalThis.__flotilla_host = () => undefined')
  for (const script of scripts) evalIgnoringErrors(scriptCtx, script)
  scriptCtx.dispose()
  recordCpu()
}
rt.dispose()
recordCpu()
parentPort?.postMessage('done')
