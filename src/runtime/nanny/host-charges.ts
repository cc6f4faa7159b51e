// What the sandbox host charges a vessel for work done outside its worker thread (brokering its sockets, relaying
// its output, the process's GC and compiler threads), on a SharedArrayBuffer: the host's main thread is the only
// writer of the charges, the vessel's worker the only writer of its own thread's cpu (which the host subtracts from
// the process's cpu; the sandbox host may not read other threads' /proc files). The worker's nanny counts the
// charges as cpu of its own.
const CHARGED = 0
const THREAD_CPU = 1

export class HostCharges {
  static readonly BYTES = 16
  readonly sab: SharedArrayBuffer
  private readonly nanos: BigInt64Array

  /** New charges, or a view of ones made in another thread (pass its `sab`). */
  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(HostCharges.BYTES)
    this.nanos = new BigInt64Array(this.sab, 0, 2)
  }

  /** Worker only: the cpu seconds its own thread has used, as it just read them. */
  recordThreadCpu(seconds: number): void {
    Atomics.store(this.nanos, THREAD_CPU, BigInt(Math.round(seconds * 1e9)) + 1n)
  }

  /** The worker thread's cpu seconds as it last recorded them; undefined before its first record. */
  threadCpu(): number | undefined {
    const n = Atomics.load(this.nanos, THREAD_CPU)
    return n === 0n ? undefined : Number(n - 1n) / 1e9
  }

  /** Host only. */
  add(seconds: number): void {
    if (!(seconds > 0)) return
    Atomics.add(this.nanos, CHARGED, BigInt(Math.round(seconds * 1e9)))
  }

  /** Cpu seconds charged so far. */
  cpuSeconds(): number {
    return Number(Atomics.load(this.nanos, CHARGED)) / 1e9
  }
}
