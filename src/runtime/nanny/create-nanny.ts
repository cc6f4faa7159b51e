// The nanny of one running program (docs/REPY.md, 'The nanny'): leaky buckets for renewables,
// counted items, port sets, a disk quota checked at each write, and a CPU governor that pauses the thread in
// short slices from QuickJS's interrupt handler.
import { performance } from 'node:perf_hooks'
import { RepyError } from '../errors.js'
import type { Nanny } from './nanny.js'
import { RateBucket } from './rate-bucket.js'
import {
  ITEM_RESOURCES,
  RENEWABLE_RESOURCES,
  type ItemResource,
  type PortResource,
  type RateResource,
  type RenewableResource,
  type ResourceUsage,
  type Restrictions,
  type StopTime,
} from './resources.js'
import { threadCpuGranularity, threadCpuSeconds } from './thread-cpu.js'
import type { UsageBoard } from './usage-board.js'

export interface NannyOptions {
  /** Bytes already in the vessel directory: Σ file size + 4096 per file. */
  initialDiskUsed: number
  /** Bytes of memory the program uses now (QuickJS's heap). Called at most every ~100 ms and from usage(). */
  memoryUsed: () => number
  /** CPU seconds used by the calling thread (thread-cpu.ts). */
  threadCpuSeconds: () => number
  /** CPU seconds the sandbox host charged the program for work done for it elsewhere (host-charges.ts); the
   *  governor and usage count them as the program's own. */
  hostCpuSeconds?: () => number
  /** How far below the truth threadCpuSeconds() may read, in seconds. Default: threadCpuGranularity() when
   *  threadCpuSeconds is thread-cpu.ts's own, else 0.03 (safe for every /proc source). */
  cpuGranularity?: number
  /** getruntime(): seconds since the program started. */
  runtime: () => number
  /** Blocks the calling thread. Default: Atomics.wait on a private SharedArrayBuffer. */
  sleepSync?: (seconds: number) => void
  /** Refreshed at most every ~100 ms from onInterrupt and charges, and on publish(). */
  board?: UsageBoard
  /** A renewable over its quota does not block the thread: the wait is kept for takeDeferredWait(). For Repy
   *  programs, whose threads share this one thread: the guest waits on a promise, and only its thread waits. */
  deferRateWaits?: boolean
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4))
const atomicsSleep = (seconds: number): void => {
  if (seconds > 0) Atomics.wait(sleepCell, 0, 0, seconds * 1000)
}
const wallSeconds = (): number => performance.now() / 1000

const PUBLISH_INTERVAL = 0.1
const MAX_STOP_TIMES = 100
/** Re-read the thread's cpu time at most this often; between reads the thread counts as busy. */
const CPU_READ_INTERVAL = 0.001
/** A longer gap between two interrupts is not counted as busy (the guest was waiting, or the OS ran someone else);
 *  the cpu reading taken then settles what really happened. */
const BUSY_GAP = 0.002

export interface GovernorOptions {
  share: number
  threadCpuSeconds: () => number
  granularity: number
  runtime: () => number
  sleepSync: (seconds: number) => void
  wallSeconds?: () => number
}

/** Holds a thread to `share` of one core. check() is called very often from busy code; when the thread has used
 *  more than its share (plus one small slice), it sleeps just long enough to be back at its share. Unused share is
 *  banked only up to one slice, so a long idle time buys no long burst (but time the OS overslept a pause is
 *  given back). A pause lasts at most 1.5 × slice / share (15 ms at 0.10) and is followed by at least one slice of
 *  running: a debt from a late reading is paid over the next few pauses instead of in one long stop. But when the
 *  thread used more since the last pause than one slice and one reading's lag (a builtin, like a 50 ms join, ran
 *  between two checks), the pause may be as long as that excess needs, else a program made of long builtins would
 *  run far above its share. */
export class CpuGovernor {
  readonly stops: StopTime[] = []
  stopCount = 0
  stoppedSeconds = 0
  private readonly slice: number
  private readonly maxPause: number
  private resumed = -Infinity
  private readonly wall: () => number
  private started = false
  private lastWall = 0
  private lastRead = 0
  private accounted = 0
  private credit = 0
  /** cpu the thread used since it last resumed from a pause */
  private usedSinceResume = 0
  /** Credit the thread lost because the OS woke it late from a pause; it may still use it (up to 1 s of share). */
  private owed = 0

  constructor(private readonly o: GovernorOptions) {
    this.wall = o.wallSeconds ?? wallSeconds
    // At most 2 ms of cpu per slice, less for small shares so one pause (slice/share) stays near 10 ms; but at
    // least 0.5 ms, as interrupts come only every 0.2-0.5 ms.
    this.slice = Math.min(0.002, Math.max(0.0005, 0.01 * o.share))
    this.maxPause = (1.5 * this.slice) / o.share
  }

  /** Throws ResourceForbiddenError at share 0: such a program may not run at all. `now`: a reading of the governor's
   *  clock taken just before. */
  check(now = this.wall()): void {
    const { share } = this.o
    if (share >= 1) return
    if (!(share > 0)) throw new RepyError('ResourceForbiddenError', `resource 'cpu' is not allowed: its limit is 0`)
    if (!this.started) {
      this.started = true
      this.lastWall = this.lastRead = now
      this.accounted = this.o.threadCpuSeconds()
      this.credit = this.slice
      return
    }
    const elapsed = now - this.lastWall
    let used = elapsed <= BUSY_GAP ? elapsed : 0
    this.accounted += used
    // Also read before a pause could grow past maxPause for a builtin: wall time counted as cpu while the OS had
    // the thread off its core would otherwise look like a builtin's cpu.
    const mayBeBuiltin =
      this.usedSinceResume + used > this.slice + this.o.granularity &&
      this.credit + share * elapsed - used < -this.slice
    if (now - this.lastRead >= CPU_READ_INTERVAL || elapsed > BUSY_GAP || mayBeBuiltin) {
      // The reading lags the truth by up to `granularity`: keep our estimate within [reading, reading + granularity].
      const reading = this.o.threadCpuSeconds()
      this.lastRead = now
      const settled = Math.min(Math.max(this.accounted, reading), reading + this.o.granularity)
      used += settled - this.accounted
      this.accounted = settled
    }
    this.lastWall = now
    this.credit = Math.min(this.slice + this.owed, this.credit + share * elapsed - used)
    this.owed = Math.max(0, Math.min(this.owed, this.credit - this.slice))
    this.usedSinceResume += used
    if (this.credit < -this.slice && now - this.resumed >= this.slice) {
      // cpu beyond one slice and one reading's lag came from a builtin that ran between two checks
      const builtin = this.usedSinceResume - this.slice - this.o.granularity
      const longest = Math.max(this.maxPause, (builtin * (1 - share)) / share)
      this.pause(Math.min(-this.credit / share, longest))
    }
  }

  private pause(seconds: number): void {
    const at = this.o.runtime()
    const before = this.wall()
    this.o.sleepSync(seconds)
    const after = this.wall()
    const stopped = after - before
    this.owed = Math.min(this.o.share, this.owed + this.o.share * Math.max(0, stopped - seconds))
    this.credit = Math.min(this.slice + this.owed, this.credit + this.o.share * stopped)
    this.lastWall = this.resumed = after
    this.usedSinceResume = 0
    this.stopCount++
    this.stoppedSeconds += stopped
    this.stops.push([at, stopped])
    if (this.stops.length > MAX_STOP_TIMES) this.stops.shift()
  }
}

function checkAmount(amount: number): void {
  if (!(amount >= 0) || !Number.isFinite(amount)) throw new Error(`nanny: bad amount ${amount}`)
}

export function createNanny(restrictions: Restrictions, options: NannyOptions): Nanny {
  const { limits } = restrictions
  const sleepSync = options.sleepSync ?? atomicsSleep
  const hostCpu = options.hostCpuSeconds ?? (() => 0)
  const totalCpu = (): number => options.threadCpuSeconds() + hostCpu()
  const cpuAtStart = totalCpu()
  const hostCpuAtStart = hostCpu()
  const governor = new CpuGovernor({
    share: limits.cpu,
    threadCpuSeconds: totalCpu,
    granularity:
      options.cpuGranularity ?? (options.threadCpuSeconds === threadCpuSeconds ? threadCpuGranularity() : 0.03),
    runtime: options.runtime,
    sleepSync,
  })
  // A Map, not an object keyed by the resource's name: a socket call finds three buckets, and V8 looked an object's
  // varying keys up through its megamorphic cache.
  const buckets = new Map<RateResource, RateBucket>()
  const items = Object.fromEntries(ITEM_RESOURCES.map((r) => [r, new Set<string>()])) as Record<
    ItemResource,
    Set<string>
  >
  const allowedPorts: Record<PortResource, Set<number>> = {
    messport: new Set(restrictions.ports.messport),
    connport: new Set(restrictions.ports.connport),
  }
  const portsInUse: Record<PortResource, Set<number>> = { messport: new Set(), connport: new Set() }
  let diskUsed = Math.max(0, options.initialDiskUsed)
  let lastPublish = -Infinity

  const bucket = (resource: RateResource): RateBucket => {
    const known = buckets.get(resource)
    if (known) return known
    const limit = limits[resource]
    if (!(limit > 0)) {
      throw new RepyError('ResourceForbiddenError', `resource '${resource}' is not allowed: its limit is 0`)
    }
    const made = new RateBucket(limit)
    buckets.set(resource, made)
    return made
  }
  let deferredWait = 0
  // Within a host call, one clock reading serves every charge's bucket and publish check (a socket call waits for
  // one bucket and charges two; a reading costs about as much as a charge). The buckets' clock is wallSeconds' own.
  let inCall = false
  let callClock = NaN
  const clock = (): number => {
    if (!inCall) return wallSeconds()
    if (Number.isNaN(callClock)) callClock = wallSeconds()
    return callClock
  }
  const tattle = (resource: RateResource, amount: number, now = clock()): void => {
    const b = bucket(resource)
    if (options.deferRateWaits) deferredWait = Math.max(deferredWait, b.tattle(amount, now))
    else for (let wait = b.tattle(amount, now); wait > 0; wait = b.tattle(0)) sleepSync(wait)
  }
  const maybePublish = (now = clock()): void => {
    if (options.board && now - lastPublish >= PUBLISH_INTERVAL) nanny.publish()
  }
  const cpuSeconds = (): number => Math.max(0, totalCpu() - cpuAtStart)

  const nanny: Nanny = {
    restrictions,
    waitFor(resource) {
      tattle(resource, 0)
    },
    makeRoom(resource, amount) {
      checkAmount(amount)
      const b = bucket(resource)
      if (options.deferRateWaits) return b.roomWait(amount)
      for (let wait = b.roomWait(amount); wait > 0; wait = b.roomWait(amount)) sleepSync(wait)
      return 0
    },
    levelAtLastCharge(resource) {
      return buckets.get(resource)?.levelAtLastTattle() ?? 0
    },
    takeDeferredWait() {
      const wait = deferredWait
      deferredWait = 0
      return wait
    },
    charge(resource, amount) {
      checkAmount(amount)
      const now = clock()
      tattle(resource, amount, now)
      maybePublish(now)
    },
    acquire(resource, id) {
      const held = items[resource]
      if (held.has(id)) return
      if (held.size >= limits[resource]) {
        const message = `resource '${resource}' is exhausted: all ${limits[resource]} in use`
        throw new RepyError('ResourceExhaustedError', message)
      }
      held.add(id)
    },
    release(resource, id) {
      items[resource].delete(id)
    },
    checkPort(resource, port) {
      if (!allowedPorts[resource].has(port)) {
        throw new RepyError('ResourceForbiddenError', `port ${port} is not in this program's ${resource} set`)
      }
    },
    portOpened(resource, port) {
      portsInUse[resource].add(port)
    },
    portClosed(resource, port) {
      portsInUse[resource].delete(port)
    },
    chargeDisk(bytes) {
      if (!Number.isFinite(bytes)) throw new Error(`nanny: bad disk amount ${bytes}`)
      if (bytes > 0 && diskUsed + bytes > limits.diskused) {
        throw new RepyError(
          'ResourceExhaustedError',
          `resource 'diskused' is exhausted: ${diskUsed} + ${bytes} bytes would exceed the quota of ${limits.diskused}`,
        )
      }
      diskUsed = Math.max(0, diskUsed + bytes)
      maybePublish()
    },
    onInterrupt() {
      // A fresh reading (a second checkpoint in one call may follow a pause), which the call's charges then share.
      const now = wallSeconds()
      if (inCall) callClock = now
      governor.check(now)
      maybePublish(now)
    },
    beginCall() {
      inCall = true
      callClock = NaN
    },
    endCall() {
      inCall = false
    },
    usage(): ResourceUsage {
      const cpu = cpuSeconds()
      const level = (r: RenewableResource): number => (r === 'cpu' ? cpu : (buckets.get(r)?.level() ?? 0))
      const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b)
      return {
        renewable: Object.fromEntries(RENEWABLE_RESOURCES.map((r) => [r, level(r)])) as Record<
          RenewableResource,
          number
        >,
        memory: options.memoryUsed(),
        diskused: diskUsed,
        items: Object.fromEntries(ITEM_RESOURCES.map((r) => [r, items[r].size])) as Record<ItemResource, number>,
        ports: { messport: sorted(portsInUse.messport), connport: sorted(portsInUse.connport) },
        cpuSeconds: cpu,
        hostCpuSeconds: Math.max(0, hostCpu() - hostCpuAtStart),
      }
    },
    stopTimes() {
      return governor.stops.map(([at, seconds]): StopTime => [at, seconds])
    },
    publish() {
      if (!options.board) return
      lastPublish = wallSeconds()
      options.board.write(nanny.usage(), { count: governor.stopCount, seconds: governor.stoppedSeconds })
    },
  }
  return nanny
}
