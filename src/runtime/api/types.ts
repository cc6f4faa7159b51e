// What every guest API capability receives and returns.
import type { Nanny } from '../nanny/nanny.js'
import type { OpName } from '../guest/ops.js'
import type { NetChannel } from '../net/channel.js'
import type { GuestValue, OutBytes } from '../guest-value.js'
import type { Later } from '../later.js'

export { GuestBytes, NotCopied, OutBytes, type GuestValue } from '../guest-value.js'

/** A host operation: validates its arguments on its first lines, charges the nanny next to its effect. */
export type Op = (args: GuestValue[]) => GuestValue | OutBytes | Promise<GuestValue> | Later<GuestValue | OutBytes>
/** The host operations named N: each capability declares the ones it serves, and the bridge takes the whole table
 *  (every name of OP_NAMES), so an operation without a host side is a type error, not a failure at run time. */
export type OpTable<N extends OpName = OpName> = Record<N, Op>

/** How a program ended. `code` follows Repy's exit codes where one exists (docs/REPY.md, 'Exit codes'). */
export interface Outcome {
  status: 'Terminated' | 'Stopped' | 'ThreadErr'
  code: number
  reason: string
}

/** Per-thread bookkeeping: the current thread (for getthreadname) and the live-thread count. */
export interface Threads {
  current: number
  name(id: number): string
  lastError: Map<number, string>
}

/** Everything a capability may touch for its vessel. */
export interface VesselEnv {
  /** The vessel directory: the program's whole file area. */
  readonly cwd: string
  /** The vessel's IP address (getmyip). */
  readonly ip: string
  readonly nanny: Nanny
  readonly threads: Threads
  readonly net: NetChannel
  /** Seconds since the program started (getruntime), monotonic. */
  runtime(): number
  /** Writes program output (already charged to lograte). */
  output(text: string): void
  /** Ends the program now: the runtime is interrupted and `outcome` reported. */
  end(outcome: Outcome): void
  /** Runs `close` when the program's run is torn down (its thread then serves another vessel). */
  atTeardown(close: () => void): void
  /** Thread lifecycle hooks used by the threads capability. */
  threadStarted(): void
  threadFinished(): void
}
