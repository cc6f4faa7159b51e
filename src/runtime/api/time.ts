// getruntime and sleep.
import { argCount, seconds } from './validate.js'
import type { OpTable, VesselEnv } from './types.js'

const MAX_TIMER_MS = 2 ** 31 - 1

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
      // Like Repy, never return early: wake up and check the clock until the deadline has passed. Node's timers
      // count whole milliseconds, so a timer covers the whole milliseconds left and turns of the event loop
      // (setImmediate) the rest: sleep(0.0001) sleeps about 0.1 ms, not 1 ms. Every sleep, sleep(0) too, gives
      // the event loop at least one turn, so a thread that polls with sleep(0) lets timers and sockets run.
      return new Promise<undefined>((resolve) => {
        const wait = () => {
          // Compared as the program would: its getruntime() difference is never less than what it asked for.
          const slept = env.runtime() - start
          const leftMs = (wanted - slept) * 1000
          if (slept >= wanted) resolve(undefined)
          else if (leftMs < 1) setImmediate(wait)
          else setTimeout(wait, Math.min(MAX_TIMER_MS, Math.floor(leftMs)))
        }
        setImmediate(wait)
      })
    },
  }
}
