// getruntime and sleep.
import { argCount, seconds } from './validate.js'
import type { OpTable, VesselEnv } from './types.js'

const MAX_TIMER_MS = 2 ** 31 - 1
const sleepCell = new Int32Array(new SharedArrayBuffer(4))

export function timeOps(env: VesselEnv): OpTable<'getruntime' | 'sleep'> {
  return {
    getruntime(args) {
      argCount('getruntime', args, 0)
      return env.runtime()
    },
    sleep(args) {
      argCount('sleep', args, 1)
      const wanted = seconds('sleep', 'seconds', args[0])
      const start = env.runtime()
      // Like Repy, never return early: wake up and check the clock until the deadline has passed. Every sleep,
      // sleep(0) too, first gives the event loop a turn, so a thread that polls with sleep(0) lets timers and sockets
      // run. Node's timers count whole milliseconds, so a timer covers the whole milliseconds left, and the worker
      // waits out the rest of a millisecond itself (Atomics.wait takes fractions): sleep(0.0001) sleeps about 0.1 ms,
      // not 1 ms. That wait holds up the worker's event loop for less than a millisecond, and only when no guest code
      // can run (the guest's jobs all ran before this callback); spinning the event loop instead would burn a core
      // the host's main thread needs for the program's sockets.
      return new Promise<undefined>((resolve) => {
        const wait = () => {
          // Compared as the program would: its getruntime() difference is never less than what it asked for.
          const slept = env.runtime() - start
          const leftMs = (wanted - slept) * 1000
          if (slept >= wanted) resolve(undefined)
          else if (leftMs < 1) {
            Atomics.wait(sleepCell, 0, 0, leftMs)
            wait()
          } else setTimeout(wait, Math.min(MAX_TIMER_MS, Math.floor(leftMs)))
        }
        setImmediate(wait)
      })
    },
  }
}
