// A node's sandbox host warms the engine up once, when it starts. V8 runs WebAssembly first on code it compiled
// quickly, about 4 times slower than its optimized code, and optimizes a function only once it has run a while
// (then in a background thread, and only for the function's next call: a call already running, like a guest's
// long loop, stays slow to its end). Without a warm-up the first vessel of a node ran its first half second or more
// that slowly (3,000,000 loop iterations: 1.3 s of cpu against 0.3 s). The compiled code belongs to the compiled
// module the vessels share, so the host pays for it once, charged to no vessel, and vessels start on fast code.
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { HostCharges } from './nanny/host-charges.js'

export interface WarmUpData {
  quickjsModule: WebAssembly.Module
  charges: SharedArrayBuffer
  /** The front-end registry, whose runtime scripts the warm-up loads (FrontEndRegistry.runtimeScripts). */
  frontEnds: string | undefined
}

export interface WarmUpEvents {
  /** The warm-up thread's cpu is the host's own, like a spare thread's (host-cpu.ts). */
  started(charges: HostCharges): void
  /** It ended, after `ms`; with `error` if it failed (which costs only speed). */
  done(charges: HostCharges, ms: number, error?: string): void
}

/** Starts the warm-up thread; it ends by itself. */
export function warmUpEngine(
  quickjsModule: WebAssembly.Module,
  frontEnds: string | undefined,
  events: WarmUpEvents,
): void {
  const start = performance.now()
  const charges = new HostCharges()
  const data: WarmUpData = { quickjsModule, charges: charges.sab, frontEnds }
  const worker = new Worker(new URL('./engine-warm-up-worker.js', import.meta.url), {
    workerData: data,
    resourceLimits: { stackSizeMb: 4, maxOldGenerationSizeMb: 64 },
    env: {},
    stdout: false,
    stderr: false,
  })
  events.started(charges)
  let error: string | undefined = 'the warm-up thread ended early'
  worker.once('message', () => (error = undefined))
  worker.once('error', (err) => (error = err.message))
  worker.once('exit', () => events.done(charges, Math.round(performance.now() - start), error))
  worker.unref()
}
