// The engine's warm-up, in a thread of its own (engine-warm-up.ts starts it): guest-like work in a throwaway QuickJS
// instance, so that V8 compiles QuickJS's interpreter with its optimizing tier before vessels run on it.
import { parentPort, workerData } from 'node:worker_threads'
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from 'quickjs-emscripten'
import { HostCharges } from './nanny/host-charges.js'
import { threadCpuSeconds } from './nanny/thread-cpu.js'
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

const { quickjsModule, charges: chargesSab, rounds } = workerData as WarmUpData
const charges = new HostCharges(chargesSab)
charges.recordThreadCpu(threadCpuSeconds())
const QuickJS = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule: quickjsModule }))
const rt = QuickJS.newRuntime()
// as a vessel's runtime calls its own (vessel-worker.ts): the same path through the interpreter
rt.setInterruptHandler(() => {
  charges.recordThreadCpu(threadCpuSeconds())
  return false
})
const ctx = rt.newContext()
// Rounds in separate calls: V8 replaces a function's code only for its next call, so a single long call would run
// to its end on the unoptimized code.
ctx
  .unwrapResult(
    ctx.evalCode(`
  function add(a, b) { return a + b }
  function* g(n) { for (let i = 0; i < n; i++) yield i }
  let t = 0, s = 0n, o = { x: 1 }, a = []
  globalThis.round = (k) => { ${ROUND} }
`),
  )
  .dispose()
const round = ctx.getProp(ctx.global, 'round')
for (let k = 0; k < rounds; k++) {
  const n = ctx.newNumber(k)
  ctx.unwrapResult(ctx.callFunction(round, ctx.undefined, n)).dispose()
  n.dispose()
}
round.dispose()
ctx.dispose()
rt.dispose()
charges.recordThreadCpu(threadCpuSeconds())
parentPort?.postMessage('done')
