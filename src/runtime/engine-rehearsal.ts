// A rehearsal of a vessel's start, run by a node's spare thread before its vessel comes: a throwaway engine logs a
// line through the bridge, the nanny's checkpoint and the log operation, so that V8 has compiled that host code in
// the thread's isolate and the vessel's start does not pay for it (its worker cpu from its arrival to its first
// output line went from about 12 ms to 4). Nothing of it reaches the vessel: the engine is a separate QuickJS
// instance, left to the garbage collector; its nanny publishes nowhere and its output goes nowhere.
import { logOps } from './api/log.js'
import { MAIN_THREAD } from './api/threads.js'
import type { Threads } from './api/types.js'
import { outputChunks } from './cap-text.js'
import { makeGuestEngine } from './guest-engine.js'
import { createNanny } from './nanny/create-nanny.js'
import { parseRestrictions } from './nanny/restrictions.js'
import { threadCpuSeconds } from './nanny/thread-cpu.js'

const RESTRICTIONS = parseRestrictions(
  'resource cpu 1\nresource memory 8000000\nresource diskused 0\nresource lograte 100000',
)

export async function rehearseStart(quickjsModule: WebAssembly.Module): Promise<void> {
  const { ctx, bridge } = await makeGuestEngine(quickjsModule, RESTRICTIONS.limits.memory)
  const nanny = createNanny(RESTRICTIONS, {
    initialDiskUsed: 0,
    memoryUsed: () => 0,
    threadCpuSeconds,
    runtime: () => 0,
  })
  const threads: Threads = { current: MAIN_THREAD, name: () => 'MainThread', lastError: new Map() }
  const output = (text: string): void => {
    for (const _chunk of outputChunks(text)) continue
  }
  bridge.bind(logOps({ nanny, output }), threads, {
    onInternalError: () => undefined,
    afterSettle: () => undefined,
    isEnded: () => false,
    mayProceed: () => {
      nanny.onInterrupt()
      return true
    },
    callBegins: () => nanny.beginCall(),
    callEnds: () => nanny.endCall(),
    deferredWait: () => nanny.takeDeferredWait(),
  })
  ctx.evalCode("log('rehearsal')", 'rehearsal.js', { type: 'module' }).dispose()
  nanny.publish()
}
