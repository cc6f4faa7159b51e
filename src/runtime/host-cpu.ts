// Charges the vessels for the sandbox host's cpu that their own worker threads do not show: every interval, the
// whole process's cpu (what the OS and `top` see) minus what the workers' threads used is the host's overhead.
// The main thread's share of it (brokering sockets, relaying output) goes to the vessels in proportion to the
// messages they sent it, the rest (GC and compiler threads) in proportion to their own cpu, but only while every
// worker has published its thread's cpu (otherwise the rest may hold a worker's own cpu, which its governor counts
// already). With no vessel running, nobody is charged. A vessel is charged at most its cpu share of each interval:
// a bigger burst (the engine compiling hot code once at start-up, a GC of the host's own heap) is one-time work
// of the process, and charging it would stop the vessel for seconds (a governor repays a debt over many pauses).
// A spare thread (booted ahead for the next vessel, vessel-threads.ts) publishes its cpu too: it is subtracted like
// a worker's, and charged to nobody.
import type { HostCharges } from './nanny/host-charges.js'
import { threadCpuSeconds } from './nanny/thread-cpu.js'

const INTERVAL_MS = 100

interface Tracked {
  charges: HostCharges
  share: number
  /** The worker thread's cpu at the last tick (undefined until the worker has published it). */
  threadCpu: number | undefined
  messages: number
}

const processCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

/** Splits `amount` among `ids` in proportion to `weight`; evenly when every weight is 0. */
function split(amount: number, ids: string[], weight: (id: string) => number): Map<string, number> {
  const total = ids.reduce((sum, id) => sum + weight(id), 0)
  return new Map(ids.map((id) => [id, total > 0 ? (amount * weight(id)) / total : amount / ids.length]))
}

export class HostCpuCharger {
  private readonly vessels = new Map<string, Tracked>()
  /** Spare threads' charges, with their thread cpu at the last tick. */
  private readonly spares = new Map<HostCharges, number | undefined>()
  private lastProcess = 0
  private lastMain = 0
  private lastWall = 0
  /** Runs only while some vessel is running: an idle host wakes for nothing. */
  private timer: NodeJS.Timeout | undefined

  /** `share`: the vessel's cpu limit (share of one core). */
  add(vesselId: string, charges: HostCharges, share: number): void {
    this.vessels.set(vesselId, { charges, share, threadCpu: undefined, messages: 0 })
    if (this.timer) return
    this.lastProcess = processCpuSeconds()
    this.lastMain = threadCpuSeconds()
    this.lastWall = performance.now() / 1000
    this.timer = setInterval(() => this.tick(), INTERVAL_MS)
    this.timer.unref()
  }

  /** A spare thread, counted only while some vessel runs (an idle host wakes for nothing). */
  addSpare(charges: HostCharges): void {
    this.spares.set(charges, undefined)
  }

  removeSpare(charges: HostCharges): void {
    this.spares.delete(charges)
  }

  remove(vesselId: string): void {
    this.vessels.delete(vesselId)
    if (this.vessels.size > 0 || !this.timer) return
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** The vessel sent the main thread a message (a socket call, output). */
  message(vesselId: string): void {
    const t = this.vessels.get(vesselId)
    if (t) t.messages++
  }

  private tick(): void {
    const processNow = processCpuSeconds()
    const mainNow = threadCpuSeconds()
    const wallNow = performance.now() / 1000
    const processUsed = processNow - this.lastProcess
    const mainUsed = mainNow - this.lastMain
    const elapsed = wallNow - this.lastWall
    this.lastProcess = processNow
    this.lastMain = mainNow
    this.lastWall = wallNow
    const own = new Map<string, number>()
    let workers = 0
    let allKnown = true
    for (const [id, t] of this.vessels) {
      const now = t.charges.threadCpu()
      if (now === undefined || t.threadCpu === undefined) allKnown = false
      const used = now !== undefined && t.threadCpu !== undefined ? Math.max(0, now - t.threadCpu) : 0
      if (now !== undefined) t.threadCpu = now
      own.set(id, used)
      workers += used
    }
    for (const [charges, last] of this.spares) {
      const now = charges.threadCpu()
      if (now === undefined || last === undefined) allKnown = false
      if (now !== undefined && last !== undefined) workers += Math.max(0, now - last)
      if (now !== undefined) this.spares.set(charges, now)
    }
    const ids = [...this.vessels.keys()]
    const messages = new Map(ids.map((id) => [id, this.vessels.get(id)!.messages]))
    for (const t of this.vessels.values()) t.messages = 0
    if (ids.length === 0) return
    const overhead = Math.max(0, processUsed - workers)
    const main = Math.min(overhead, Math.max(0, mainUsed))
    const anyMessages = [...messages.values()].some((n) => n > 0)
    const byMain = split(main, ids, (id) => (anyMessages ? messages.get(id)! : own.get(id)!))
    const byRest = split(allKnown ? overhead - main : 0, ids, (id) => own.get(id)!)
    for (const id of ids) {
      const t = this.vessels.get(id)!
      t.charges.add(Math.min(byMain.get(id)! + byRest.get(id)!, t.share * elapsed))
    }
  }
}
