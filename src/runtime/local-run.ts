// `flotilla run`'s sandbox: the program's vessel thread in the command's own process, instead of in a sandbox host
// process of its own (sandbox.ts). The thread, its engine, its nanny and its API are the sandbox host's own
// (VesselRunner, vessel-threads.ts, vessel-worker.ts); what a separate host adds (Node's permission model, a scrubbed
// environment for the process, another user when a node runs as root, a crash of the process reported by its parent)
// guards a node manager's keys and state from its vessels, and `flotilla run` has neither: see docs/ARCHITECTURE.md,
// 'flotilla run'. The host process's start was about half of a hello world's cpu.
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import type { Outcome } from './api/types.js'
import { capOutcome } from './cap-text.js'
import { HostCpuCharger } from './host-cpu.js'
import type { ProgramSpec, RunOptions } from './run-program.js'
import { quickJSWasm, VesselRunner } from './vessel-runner.js'
import { SpareThreads } from './vessel-threads.js'

const VESSEL_ID = 'run'

/**
 * QuickJS compiled for V8's baseline compiler only (Liftoff), never tiered up to its optimizing one. With tiering,
 * Liftoff's code counts every function's work to find the hot ones, and the optimizing compiles of QuickJS's huge
 * interpreter and parser functions take background threads for seconds: in `flotilla run` on the loaded 2-core
 * machine, a loop of 300,000 `total += i * i` took 39-41 ms of the thread's cpu a pass for all of 300 passes
 * (12 s), 20-21 ms on baseline code alone from the first pass. And this process cannot end before the compiles it queued are done
 * (Node drains V8's background tasks when a worker or the process exits; the sandbox host process was killed
 * instead): a hello world spent 90-110 ms of cpu after its program had ended.
 *
 * The flag is V8's, for the whole process, and is read when a module is compiled; it is set back at once. Once any
 * flag has been changed, V8 refuses Node's code cache of its built-in modules for good (setting it back does not
 * help), and a worker that boots after it took 20-30 ms more cpu compiling them: so the compile waits until the
 * vessel's thread has booted and loaded its code.
 */
function compileBaselineOnly(): WebAssembly.Module {
  setFlagsFromString('--liftoff-only')
  try {
    return new WebAssembly.Module(quickJSWasm())
  } finally {
    setFlagsFromString('--no-liftoff-only')
  }
}

/** Runs the program in a vessel thread of this process and resolves with how it ended. `frontEnds` is a path inside
 *  the built tree (dist/), as for runProgram. */
export async function runLocally(spec: ProgramSpec, options: RunOptions): Promise<Outcome> {
  const charger = new HostCpuCharger()
  // dist/<registry>, from this module in dist/runtime/ or in a chunk of the CLI's bundle in dist/cli/
  const frontEnds =
    options.frontEnds === undefined ? undefined : fileURLToPath(new URL(`../${options.frontEnds}`, import.meta.url))
  // The vessel's thread boots first (see compileBaselineOnly), then makes its engine for this program.
  const spares = new SpareThreads(
    false,
    { started: (thread) => charger.addSpare(thread.charges), gone: (thread) => charger.removeSpare(thread.charges) },
    frontEnds,
    spec.restrictions.limits.memory,
    spec.program,
  )
  spares.open()
  await spares.spareLoaded()
  spares.engineReady(compileBaselineOnly())
  let settle!: (o: Outcome) => void
  const done = new Promise<Outcome>((r) => {
    settle = r
  })
  const runner = new VesselRunner(spares, charger, {
    output: (_id, text) => options.output(text),
    exit: (_id, outcome) => settle(capOutcome(outcome)),
  })
  const onStop = () =>
    runner.stop(VESSEL_ID, typeof options.stop?.reason === 'string' ? options.stop.reason : 'stopped')
  options.stop?.addEventListener('abort', onStop, { once: true })
  runner.start({
    vesselId: VESSEL_ID,
    cwd: spec.cwd,
    program: spec.program,
    callargs: spec.args,
    ip: spec.ip,
    restrictions: spec.restrictions,
    frontEnds,
  })
  try {
    return await done
  } finally {
    options.stop?.removeEventListener('abort', onStop)
    spares.close()
  }
}
