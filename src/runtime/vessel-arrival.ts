// How a vessel's worker thread learns its vessels. The sandbox host starts the thread before it knows the vessel (a
// spare it keeps booted, vessel-threads.ts), so that starting a vessel does not wait for Node to boot a thread, load
// the runtime and make the guest engine: vessel-worker.ts, with everything it imports loaded, waits here for a
// vessel, with its engine made ahead (guest-engine.ts) as soon as the host sends the compiled QuickJS. A thread whose
// vessel ended and was torn down waits here again for the next one, with a fresh engine made the same way.
import { measureMemory } from 'node:vm'
import { parentPort, workerData } from 'node:worker_threads'
import { RELEASE_SYNC } from 'quickjs-emscripten'
import { HostCharges } from './nanny/host-charges.js'
import { threadCpuSeconds } from './nanny/thread-cpu.js'
import { loadFrontEnd, preloadFrontEnds } from './program-loader.js'
import { engineFits, loadLanguageRuntime, makeGuestEngine, type GuestEngine } from './guest-engine.js'
import type { ProgramFrontEnd } from './front-end.js'
import { rehearseStart } from './engine-rehearsal.js'
import type {
  EngineMessage,
  ThreadMessage,
  VesselMessage,
  VesselThreadData,
  VesselWorkerData,
  WorkerMessage,
} from './sandbox-messages.js'

export interface ArrivedVessel {
  config: VesselWorkerData
  frontEnd: ProgramFrontEnd
  engine: GuestEngine
}

/** A thread still waiting for its vessel this long after its engine was made collects its garbage (below). */
const IDLE_COLLECT_MS = 1000

const data = workerData as VesselThreadData
/** The thread's cpu while it serves no vessel: published on arrival, after each engine, at each vessel's arrival
 *  and end, so the host never counts it as work to charge to the running vessels. */
const threadCharges = new HostCharges(data.charges)
export const recordIdleCpu = (): void => threadCharges.recordThreadCpu(threadCpuSeconds())

/** The host's messages, in order; a stop goes to the running vessel's handler (or nowhere, if its run is over). */
const inbox: Array<EngineMessage | VesselMessage> = []
let waiting: ((m: EngineMessage | VesselMessage) => void) | undefined
let onStop: ((runId: number) => void) | undefined
const next = (): Promise<EngineMessage | VesselMessage> =>
  new Promise((resolve) => {
    const m = inbox.shift()
    if (m) resolve(m)
    else waiting = resolve
  })

/** Loads what every vessel needs and starts listening to the host; once per thread. */
export async function openThread(): Promise<void> {
  recordIdleCpu()
  parentPort!.on('message', (m: ThreadMessage) => {
    if (m.type === 'stop') return onStop?.(m.runId)
    const w = waiting
    waiting = undefined
    if (w) w(m)
    else inbox.push(m)
  })
  // QuickJS's glue code is imported only when the first instance is made, and the front-end registry when the
  // vessel names it: both loaded now (the registry took 40-60 ms of a warm start), a start only instantiates.
  await Promise.all([
    RELEASE_SYNC.importFFI(),
    RELEASE_SYNC.importModuleLoader(),
    data.frontEnds === undefined ? undefined : preloadFrontEnds(data.frontEnds),
  ])
  parentPort!.postMessage({ type: 'loaded' } satisfies WorkerMessage)
}

/** The running vessel's stop handler (undefined once it has ended). */
export function handleStops(handler: ((runId: number) => void) | undefined): void {
  onStop = handler
}

/** The next vessel, its program's front end, and its engine (made before it came, if the host knew enough). */
export async function receiveVessel(): Promise<ArrivedVessel> {
  const made = await next()
  if (made.type !== 'engine') throw new Error(`a vessel thread was sent ${made.type} before its engine`)
  // costs only speed if it fails
  if (made.rehearse) await rehearseStart(made.quickjsModule).catch(() => undefined)
  let engine = await makeGuestEngine(made.quickjsModule, made.memoryQuota)
  await loadRuntimeAhead(engine, data.frontEnds, made.program)
  recordIdleCpu()
  // A dropped engine (the last vessel's, or a rehearsal's) keeps its WebAssembly memory until a full collection of
  // this thread's heap, which V8 starts by itself only once tens of MB of such memory have piled up. A thread that
  // serves vessels back to back leaves that to V8 (a collection each time cost a stop and start ~17 ms of cpu); one
  // that waits has an eager memory measurement run one.
  const collect = made.collectIdle
    ? setTimeout(() => {
        measureMemory({ mode: 'summary', execution: 'eager' }).then(recordIdleCpu, () => undefined)
      }, IDLE_COLLECT_MS)
    : undefined
  const vessel = await next()
  clearTimeout(collect)
  if (vessel.type !== 'vessel') throw new Error(`a vessel thread was sent ${vessel.type} instead of its vessel`)
  recordIdleCpu()
  const { type: _type, ...config } = vessel
  const frontEnd = await loadFrontEnd(config.frontEnds, config.program)
  // Made for another quota (its memory cap would be wrong) or with another language's runtime: dropped, nothing of
  // a vessel ran in it.
  if (!engineFits(engine, config.restrictions.limits.memory, frontEnd))
    engine = await makeGuestEngine(made.quickjsModule, config.restrictions.limits.memory)
  return { config, frontEnd, engine }
}

/** The runtime script of the expected program's language, evaluated in the engine; nothing if it has none or its
 *  front end does not load (the vessel's own start then says why). */
async function loadRuntimeAhead(engine: GuestEngine, registry?: string, program?: string): Promise<void> {
  if (registry === undefined || program === undefined) return
  const runtime = (await loadFrontEnd(registry, program).catch(() => undefined))?.runtimeScript
  if (runtime !== undefined) loadLanguageRuntime(engine, runtime)
}
