// Linux lets a thread's timed wait end up to its "timer slack" late (50 µs by default), to batch wake-ups. A guest's
// sleep below a millisecond is an Atomics.wait of that part (api/time.ts), so the slack was a third of a
// sleep(0.0001): a bare Atomics.wait of 0.1 ms took 186 µs with the default slack, 135 µs with 1 ns (the rest is
// the wake-up itself). A thread starts with the slack of the thread that created it, so the main thread's is set
// before the first vessel thread starts (startVesselThread, in the sandbox host and in `flotilla run`).
import { writeFileSync } from 'node:fs'

/** The calling process's main thread's slack, in ns. The sandbox host may write this one file (sandbox.ts). */
export const TIMER_SLACK_FILE = '/proc/self/timerslack_ns'

/** Whether exactTimers has run in this process. */
let done = false

/** Sets the main thread's timer slack to 1 ns, once per process. Where the kernel does not allow it (before Linux
 *  4.6, or where a process may not set its own without CAP_SYS_NICE), sleeps are only less exact. */
export function exactTimers(): void {
  if (done) return
  done = true
  try {
    writeFileSync(TIMER_SLACK_FILE, '1')
  } catch {
    // as before: the default slack
  }
}
