// What the sandbox host charges a vessel for work done outside its worker thread (brokering its sockets, relaying
// its output, the process's GC and compiler threads), on a SharedArrayBuffer: the host's main thread is the only
// writer of the charges, the vessel's worker the only writer of its thread id (so the host can read the worker
// thread's own cpu from /proc). The worker's nanny counts the charges as cpu of its own.
import { readlinkSync } from 'node:fs'

const TID = 0

export class HostCharges {
  static readonly BYTES = 16
  readonly sab: SharedArrayBuffer
  private readonly ints: Int32Array
  private readonly nanos: BigInt64Array

  /** New charges, or a view of ones made in another thread (pass its `sab`). */
  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(HostCharges.BYTES)
    this.ints = new Int32Array(this.sab, 0, 2)
    this.nanos = new BigInt64Array(this.sab, 8, 1)
  }

  /** Called by the worker itself: records the calling thread's id (0 if /proc cannot say). */
  recordThreadId(): void {
    let tid = 0
    try {
      tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1] ?? 0)
    } catch {
      // no /proc: the host then sees this thread's cpu as part of the process's remainder
    }
    Atomics.store(this.ints, TID, tid)
  }

  /** The worker's thread id, 0 until it has recorded it. */
  threadId(): number {
    return Atomics.load(this.ints, TID)
  }

  /** Host only. */
  add(seconds: number): void {
    if (!(seconds > 0)) return
    Atomics.add(this.nanos, 0, BigInt(Math.round(seconds * 1e9)))
  }

  /** Cpu seconds charged so far. */
  cpuSeconds(): number {
    return Number(Atomics.load(this.nanos, 0)) / 1e9
  }
}
