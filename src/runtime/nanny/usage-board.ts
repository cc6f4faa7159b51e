// A usage snapshot another thread can read without messages: a SharedArrayBuffer the vessel's nanny writes and
// the sandbox host reads. A seqlock keeps reads consistent: the writer makes the sequence number odd, writes,
// makes it even again; a reader retries while it is odd or changed under it. Ports are not on the board.
import {
  ITEM_RESOURCES,
  NUMERIC_RESOURCES,
  RENEWABLE_RESOURCES,
  type ItemResource,
  type RenewableResource,
  type ResourceUsage,
} from './resources.js'

export interface StopSummary {
  /** Number of cpu stops since the program started. */
  count: number
  /** Seconds stopped in total. */
  seconds: number
}

export interface BoardSnapshot {
  renewable: Record<RenewableResource, number>
  memory: number
  diskused: number
  items: Record<ItemResource, number>
  cpuSeconds: number
  stops: StopSummary
  /** Writes so far (0: never written). */
  writes: number
  /** False if a consistent copy could not be had (the writer died halfway through a write). */
  consistent: boolean
}

const SLOTS = [...NUMERIC_RESOURCES, 'cpuSeconds', 'stopCount', 'stoppedSeconds'] as const
type Slot = (typeof SLOTS)[number]
const INDEX = Object.fromEntries(SLOTS.map((name, i) => [name, i])) as Record<Slot, number>
const HEADER_BYTES = 8 // an Int32 sequence number, padded so the Float64 slots are aligned
/** A writer preempted halfway through a write holds readers up to a few scheduler slices; one that died there,
 *  forever: give up after this long. */
const MAX_READ_MS = 200
const SPINS_BEFORE_WAITING = 64

export class UsageBoard {
  static readonly BYTES = HEADER_BYTES + SLOTS.length * 8
  readonly sab: SharedArrayBuffer
  private readonly seq: Int32Array
  private readonly slots: Float64Array

  /** A new board, or a view of one made in another thread (pass its `sab`). */
  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(UsageBoard.BYTES)
    if (this.sab.byteLength < UsageBoard.BYTES) throw new Error(`UsageBoard needs ${UsageBoard.BYTES} bytes`)
    this.seq = new Int32Array(this.sab, 0, 1)
    this.slots = new Float64Array(this.sab, HEADER_BYTES, SLOTS.length)
  }

  /** Only one thread may write. */
  write(usage: ResourceUsage, stops: StopSummary = { count: 0, seconds: 0 }): void {
    const s = this.slots
    Atomics.add(this.seq, 0, 1)
    for (const r of RENEWABLE_RESOURCES) s[INDEX[r]] = usage.renewable[r]
    s[INDEX.memory] = usage.memory
    s[INDEX.diskused] = usage.diskused
    for (const r of ITEM_RESOURCES) s[INDEX[r]] = usage.items[r]
    s[INDEX.cpuSeconds] = usage.cpuSeconds
    s[INDEX.stopCount] = stops.count
    s[INDEX.stoppedSeconds] = stops.seconds
    Atomics.add(this.seq, 0, 1)
    Atomics.notify(this.seq, 0)
  }

  read(): BoardSnapshot {
    let copy = new Float64Array(SLOTS.length)
    let before: number
    let consistent: boolean
    const deadline = performance.now() + MAX_READ_MS
    for (let i = 1; ; i++) {
      before = Atomics.load(this.seq, 0)
      copy = this.slots.slice()
      consistent = before % 2 === 0 && Atomics.load(this.seq, 0) === before
      if (consistent || performance.now() > deadline) break
      // Let a preempted writer finish instead of spinning against it (write() notifies).
      if (i % SPINS_BEFORE_WAITING === 0 && before % 2 !== 0) Atomics.wait(this.seq, 0, before, 1)
    }
    const at = (slot: Slot): number => copy[INDEX[slot]] as number
    return {
      renewable: Object.fromEntries(RENEWABLE_RESOURCES.map((r) => [r, at(r)])) as Record<RenewableResource, number>,
      memory: at('memory'),
      diskused: at('diskused'),
      items: Object.fromEntries(ITEM_RESOURCES.map((r) => [r, at(r)])) as Record<ItemResource, number>,
      cpuSeconds: at('cpuSeconds'),
      stops: { count: at('stopCount'), seconds: at('stoppedSeconds') },
      writes: Math.floor(before / 2),
      consistent,
    }
  }
}
