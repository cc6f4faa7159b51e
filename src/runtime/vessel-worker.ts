// A vessel worker thread of the sandbox host: it serves one vessel after another (vessel-run.ts), each with a fresh
// engine, until the host lets it go. A vessel that ended on an internal error or over its memory quota ends the
// thread's service: what went wrong, or what it made the thread's heap hold, is not carried to the next vessel.
import { parentPort } from 'node:worker_threads'
import { capOutcome } from './cap-text.js'
import { trackTimers } from './run-timers.js'
import { openThread, receiveVessel } from './vessel-arrival.js'
import { INTERNAL_ERROR_CODE, RESOURCE_KILL_CODE, runVessel } from './vessel-run.js'
import type { WorkerMessage } from './sandbox-messages.js'

/** The last vessel's host-side functions, kept until the next vessel's replace them. V8 keeps a function's optimized
 *  code only while a closure of it lives, and the same functions made for the next vessel take that code up. Let go,
 *  the idle thread's full collection (vessel-arrival.ts) dropped it, and V8 compiled the whole hot path again during
 *  the next program's first tenth of a second, on the cores the program needed (docs/ARCHITECTURE.md, 'A thread's
 *  next vessel'). The engine stays with them only if its WebAssembly memory never grew (vessel-run.ts): at most its
 *  first 16 MB, of which a small program touches about 2. */
const last: { hostSide?: object } = {}

/** Runs the next vessel; false if the thread may not serve another. */
async function serveOne(): Promise<boolean> {
  const { outcome, teardown, hostSide } = await runVessel(await receiveVessel())
  // The end may have been decided deep in a call that still unwinds through the engine. The vessel is torn down
  // before its end is posted, so that the host has the thread back, ready, when it reports the end.
  await new Promise<void>((resolve) => setImmediate(resolve))
  const reusable = teardown() && outcome.code !== INTERNAL_ERROR_CODE && outcome.code !== RESOURCE_KILL_CODE
  last.hostSide = hostSide
  parentPort!.postMessage({ type: 'exit', outcome: capOutcome(outcome), reusable } satisfies WorkerMessage)
  return reusable
}

trackTimers()
await openThread()
while (await serveOne());
// the host ends the thread
