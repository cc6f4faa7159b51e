// A vessel's QuickJS engine: the WebAssembly instance with its memory capped for one memory quota, the runtime and
// context, and the bridge with the prelude evaluated, and perhaps a language's runtime script. A spare thread makes
// it before its vessel is known (vessel-arrival.ts), so that a start pays only for binding the vessel's operations
// and running its program; it holds nothing of any vessel, and the one vessel that takes it is its only user: a
// thread's next vessel gets a new engine (vessel-run.ts drops the last one, or leaves a small one unused until then).
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from 'quickjs-emscripten'
import type { QuickJSContext, QuickJSRuntime } from 'quickjs-emscripten'
import { Bridge } from './bridge.js'
import type { ProgramFrontEnd } from './front-end.js'

/** QuickJS's own stack limit. The worker has a 4 MB native stack (vessel-threads.ts), so deep guest recursion hits this
 *  limit (QuickJS's 'stack overflow' error, in the guest) before V8's own stack overflows out of the WebAssembly. */
const GUEST_STACK_BYTES = 1 << 20

/** QuickJS's hard limit sits this far above the memory quota, so that an allocation crossing the quota succeeds
 *  just long enough to be seen and end the program (an allocation past the hard limit fails in the guest). */
const MEMORY_SLACK_BYTES = 1 << 20

/** The WebAssembly memory QuickJS's build starts with (its INITIAL_MEMORY); it cannot be made smaller. */
const INITIAL_WASM_BYTES = 16 << 20
const WASM_PAGE = 1 << 16
const MAX_WASM_PAGES = 32768

export const hardMemoryLimit = (memoryQuota: number): number => memoryQuota + MEMORY_SLACK_BYTES

/** QuickJS's own limit does not hold in this build (it counts 8 bytes per allocation, see guest-memory.ts), so the
 *  WebAssembly memory itself is capped: it may grow by at most the hard limit, and an allocation past that fails in
 *  the guest (out of memory) instead of growing the worker towards 2 GB between two interrupts. The cap is fixed when
 *  the memory is made, so an engine made ahead serves only a vessel whose quota gives the same cap. */
const maximumPages = (memoryQuota: number): number =>
  Math.min(MAX_WASM_PAGES, Math.ceil((INITIAL_WASM_BYTES + hardMemoryLimit(memoryQuota)) / WASM_PAGE))

export interface GuestEngine {
  readonly maximumPages: number
  readonly memory: WebAssembly.Memory
  readonly rt: QuickJSRuntime
  readonly ctx: QuickJSContext
  /** Installed (the prelude ran), not yet bound to a vessel's operations. */
  readonly bridge: Bridge
  /** The language runtime evaluated after the prelude (ProgramFrontEnd.runtimeScript), if any. */
  runtime?: ProgramFrontEnd['runtimeScript']
}

/** A fresh engine whose memory is capped for `memoryQuota`. */
export async function makeGuestEngine(quickjsModule: WebAssembly.Module, memoryQuota: number): Promise<GuestEngine> {
  const pages = maximumPages(memoryQuota)
  const wasmMemory = new WebAssembly.Memory({ initial: INITIAL_WASM_BYTES / WASM_PAGE, maximum: pages })
  const QuickJS = await newQuickJSWASMModuleFromVariant(
    newVariant(RELEASE_SYNC, { wasmMemory, wasmModule: quickjsModule }),
  )
  const rt = QuickJS.newRuntime()
  rt.setMaxStackSize(GUEST_STACK_BYTES)
  const ctx = rt.newContext()
  const bridge = new Bridge(ctx, rt)
  bridge.install()
  return { maximumPages: pages, memory: wasmMemory, rt, ctx, bridge }
}

/** Whether the engine's WebAssembly memory is still the size it was made with (it holds at most that much). */
export const engineNeverGrew = (engine: GuestEngine): boolean => engine.memory.buffer.byteLength <= INITIAL_WASM_BYTES

/** Evaluates a language's runtime script in the engine ahead of its program (the host function is still reachable). */
export function loadLanguageRuntime(engine: GuestEngine, runtime: NonNullable<ProgramFrontEnd['runtimeScript']>): void {
  engine.bridge.runRuntimeScript(runtime())
  engine.runtime = runtime
}

/** Whether `engine` serves a vessel with `memoryQuota` running a program of `frontEnd`: the same memory cap, and no
 *  runtime script or that front end's own. */
export const engineFits = (engine: GuestEngine, memoryQuota: number, frontEnd: ProgramFrontEnd): boolean =>
  engine.maximumPages === maximumPages(memoryQuota) &&
  (engine.runtime === undefined || engine.runtime === frontEnd.runtimeScript)
