// How a vessel's worker thread learns its vessel. The sandbox host starts the thread before it knows the vessel (a
// spare it keeps booted, vessel-threads.ts), so that starting a vessel does not wait for Node to boot a thread, load
// the runtime and make the guest engine: vessel-worker.ts, with everything it imports loaded, waits here for its one
// vessel, with its engine made ahead (guest-engine.ts) as soon as the host sends the compiled QuickJS.
import { on } from 'node:events'
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
  VesselThreadData,
  VesselWorkerData,
  WorkerMessage,
} from './sandbox-messages.js'

export interface ArrivedVessel {
  config: VesselWorkerData
  frontEnd: ProgramFrontEnd
  engine: GuestEngine
}

/** The thread's data with its vessel's message added, its program's front end, and the vessel's engine. */
export async function receiveVessel(): Promise<ArrivedVessel> {
  const data = workerData as VesselThreadData
  const charges = new HostCharges(data.charges)
  // Published on arrival and again when the vessel comes, so the host never counts this thread's own cpu (its boot
  // and engine, made while it waits as a spare) as work to charge to the running vessels.
  charges.recordThreadCpu(threadCpuSeconds())
  // QuickJS's glue code is imported only when the first instance is made, and the front-end registry when the
  // vessel names it: both loaded now (the registry took 40-60 ms of a warm start), a start only instantiates.
  await Promise.all([
    RELEASE_SYNC.importFFI(),
    RELEASE_SYNC.importModuleLoader(),
    data.frontEnds === undefined ? undefined : preloadFrontEnds(data.frontEnds),
  ])
  parentPort!.postMessage({ type: 'loaded' } satisfies WorkerMessage)
  // in order, queued while the engine is being made
  const messages = on(parentPort!, 'message') as AsyncIterableIterator<[ThreadMessage]>
  const next = async (): Promise<ThreadMessage> => ((await messages.next()).value as [ThreadMessage])[0]
  const made = (await next()) as EngineMessage
  // costs only speed if it fails
  if (made.rehearse) await rehearseStart(made.quickjsModule).catch(() => undefined)
  let engine = await makeGuestEngine(made.quickjsModule, made.memoryQuota)
  await loadRuntimeAhead(engine, data.frontEnds, made.program)
  const vessel = await next()
  await messages.return?.()
  if (vessel.type !== 'vessel') throw new Error(`a vessel thread was sent ${vessel.type} instead of its vessel`)
  charges.recordThreadCpu(threadCpuSeconds())
  const { type: _type, ...spec } = vessel
  const frontEnd = await loadFrontEnd(spec.frontEnds, spec.program)
  // Made for another quota (its memory cap would be wrong) or with another language's runtime: dropped, nothing of
  // a vessel ran in it.
  if (!engineFits(engine, spec.restrictions.limits.memory, frontEnd))
    engine = await makeGuestEngine(made.quickjsModule, spec.restrictions.limits.memory)
  return { config: { ...data, ...spec }, frontEnd, engine }
}

/** The runtime script of the expected program's language, evaluated in the engine; nothing if it has none or its
 *  front end does not load (the vessel's own start then says why). */
async function loadRuntimeAhead(engine: GuestEngine, registry?: string, program?: string): Promise<void> {
  if (registry === undefined || program === undefined) return
  const runtime = (await loadFrontEnd(registry, program).catch(() => undefined))?.runtimeScript
  if (runtime !== undefined) loadLanguageRuntime(engine, runtime)
}
