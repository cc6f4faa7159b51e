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
      const deadline = env.runtime() + seconds('sleep', 'seconds', args[0])
      // Like Repy, never return early: wake up and check the clock until the deadline has passed.
      return new Promise<undefined>((resolve) => {
        const wait = () => {
          const left = deadline - env.runtime()
          if (left <= 0) resolve(undefined)
          else setTimeout(wait, Math.min(MAX_TIMER_MS, Math.ceil(left * 1000)))
        }
        wait()
      })
    },
  }
}
