// A vessel's log: a RingLog (<data>/logs/<vessel>.old/.new) plus a byte offset that counts everything written
// since the log was last cleared, so TailVesselLog can continue where a client left off. After a node restart the
// offset restarts at what the ring holds.
import { rmSync } from 'node:fs'
import { RingLog } from '../runtime/ring-log.js'
import type { LogChunk } from '../protocol/results.js'

/** How long TailVesselLog waits for new output of a running vessel before answering with nothing. */
export const TAIL_WAIT_MS = 1000

export class VesselLog {
  private ring: RingLog
  private written: number
  private readonly waiters = new Set<() => void>()

  constructor(
    private readonly prefix: string,
    private readonly size: number,
  ) {
    this.ring = new RingLog(prefix, size)
    this.written = this.keptLength()
  }

  /** How much of the ring is kept, at most its size (files left by a node with a larger log size may hold more). */
  private keptLength(): number {
    return Math.min(this.ring.length(), this.size)
  }

  write(text: string): void {
    const bytes = Buffer.from(text, 'utf8')
    this.ring.write(bytes)
    this.written += bytes.length
    for (const wake of this.waiters) wake()
    this.waiters.clear()
  }

  /** The last bytes kept (at most the ring's size). */
  read(): Uint8Array {
    return new Uint8Array(this.ring.readLast(this.size))
  }

  /** Bytes from `fromOffset` on; if they have left the ring, from the oldest byte kept. Only those are read. */
  tail(fromOffset: number): LogChunk {
    const start = this.written - this.keptLength()
    // An offset beyond the end comes from before a restart or a reset: start over with what is kept.
    const from = fromOffset > this.written ? start : Math.max(fromOffset, start)
    return { data: new Uint8Array(this.ring.readLast(this.written - from)), offset: from, nextOffset: this.written }
  }

  /** Resolves when something is written, or after `ms`. */
  waitForOutput(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.waiters.add(wake)
    })
  }

  get offset(): number {
    return this.written
  }

  /** Closes the log's file until its next write. */
  close(): void {
    this.ring.close()
  }

  clear(): void {
    this.close()
    rmSync(this.ring.oldPath, { force: true })
    rmSync(this.ring.newPath, { force: true })
    this.ring = new RingLog(this.prefix, this.size)
    this.written = 0
    for (const wake of this.waiters) wake()
    this.waiters.clear()
  }
}
