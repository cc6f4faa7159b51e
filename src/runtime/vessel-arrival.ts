// How a vessel's worker thread learns its vessel. The sandbox host starts the thread before it knows the vessel (a
// spare it keeps booted, vessel-threads.ts), so that starting a vessel does not wait for Node to boot a thread and
// load the runtime: vessel-worker.ts, with everything it imports loaded, waits here for its one vessel.
import { parentPort, workerData } from 'node:worker_threads'
import { RELEASE_SYNC } from 'quickjs-emscripten'
import { HostCharges } from './nanny/host-charges.js'
import { threadCpuSeconds } from './nanny/thread-cpu.js'
import { preloadFrontEnds } from './program-loader.js'
import type { VesselMessage, VesselThreadData, VesselWorkerData } from './sandbox-messages.js'

/** The thread's data with its vessel's message added. */
export async function receiveVessel(): Promise<VesselWorkerData> {
  const data = workerData as VesselThreadData
  const charges = new HostCharges(data.charges)
  // Published on arrival and again when the vessel comes, so the host never counts this thread's own cpu (its boot,
  // while it waits as a spare) as work to charge to the running vessels.
  charges.recordThreadCpu(threadCpuSeconds())
  // QuickJS's glue code is imported only when the first instance is made, and the front-end registry when the
  // vessel names it: both loaded now (the registry took 40-60 ms of a warm start), a start only instantiates.
  await Promise.all([
    RELEASE_SYNC.importFFI(),
    RELEASE_SYNC.importModuleLoader(),
    data.frontEnds === undefined ? undefined : preloadFrontEnds(data.frontEnds),
  ])
  const vessel = await new Promise<VesselMessage>((resolve) => parentPort!.once('message', resolve))
  charges.recordThreadCpu(threadCpuSeconds())
  return { ...data, ...vessel }
}
