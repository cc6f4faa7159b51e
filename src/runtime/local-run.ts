// `flotilla run`'s sandbox: the program's vessel thread in the command's own process, instead of in a sandbox host
// process of its own (sandbox.ts). The thread, its engine, its nanny and its API are the sandbox host's own
// (VesselRunner, vessel-threads.ts, vessel-worker.ts); what a separate host adds (Node's permission model, a scrubbed
// environment for the process, another user when a node runs as root, a crash of the process reported by its parent)
// guards a node manager's keys and state from its vessels, and `flotilla run` has neither: see docs/ARCHITECTURE.md,
// 'flotilla run'. The host process's start was about half of a hello world's cpu.
import { setFlagsFromString } from 'node:v8'
import type { Outcome } from './api/types.js'
import { capOutcome } from './cap-text.js'
import { HostCpuCharger } from './host-cpu.js'
import { stopReason, vesselOf, VESSEL_ID, type ProgramSpec, type RunOptions } from './program-spec.js'
import { quickJSWasm, VesselRunner } from './vessel-runner.js'
import { builtFile, SpareThreads } from './vessel-threads.js'

/**
 * V8 tiers WebAssembly up from its baseline code (Liftoff) to optimized code one function at a time, once the
 * function's budget of work is spent; the default budget is spent in well under a millisecond. Making QuickJS's
 * engine (its context, the prelude's parse) then queued optimizing compiles of QuickJS's huge parser and interpreter
 * functions, which this process must finish before it can exit (Node drains V8's background tasks when a worker or
 * the process ends; the sandbox host process was killed instead): 90-110 ms of cpu after a hello world had ended.
 * And a loop running in one long call of QuickJS's interpreter never gets the optimized code (V8 replaces a
 * WebAssembly function at its next call only), while its spent budget calls into V8 again and again: 39-41 ms of the
 * thread's cpu a pass of 300,000 `total += i * i` at the program's top level, for all of 300 passes.
 *
 * With the budget 1000 times larger, a hello world queues no optimizing compile, that loop takes 20 ms a pass
 * from the first, and a function called again and again is still optimized after its first few calls (the same
 * loop in a function: 12 ms a pass from the sixth, as with the default; 20-25 before). The flag is V8's, for the
 * whole process; set only after the vessel's thread has loaded its code, because once any flag has been changed V8
 * refuses Node's code cache of its built-in modules, and a worker booting afterwards took 20-30 ms more cpu
 * compiling them.
 */
export const TIERING_BUDGET = 2_000_000_000

function compileQuickJSForOneProgram(): WebAssembly.Module {
  setFlagsFromString(`--wasm-tiering-budget=${TIERING_BUDGET}`)
  return new WebAssembly.Module(quickJSWasm())
}

/** Runs the program in a vessel thread of this process and resolves with how it ended. `frontEnds` is a path inside
 *  the built tree (dist/), as for runProgram. */
export async function runLocally(spec: ProgramSpec, options: RunOptions): Promise<Outcome> {
  const charger = new HostCpuCharger()
  const frontEnds = options.frontEnds === undefined ? undefined : builtFile(options.frontEnds)
  // The vessel's thread boots first (see TIERING_BUDGET), then makes its engine for this program.
  const spares = new SpareThreads(
    false,
    { started: (thread) => charger.addSpare(thread.charges), gone: (thread) => charger.removeSpare(thread.charges) },
    frontEnds,
    spec.restrictions.limits.memory,
    spec.program,
  )
  spares.open()
  await spares.spareLoaded()
  spares.engineReady(compileQuickJSForOneProgram())
  let settle!: (o: Outcome) => void
  const done = new Promise<Outcome>((r) => {
    settle = r
  })
  const runner = new VesselRunner(spares, charger, {
    output: (_id, text) => options.output(text),
    exit: (_id, outcome) => settle(capOutcome(outcome)),
  })
  const onStop = () => runner.stop(VESSEL_ID, stopReason(options.stop))
  options.stop?.addEventListener('abort', onStop, { once: true })
  runner.start({ ...vesselOf(spec), frontEnds })
  try {
    return await done
  } finally {
    options.stop?.removeEventListener('abort', onStop)
    spares.close()
  }
}
