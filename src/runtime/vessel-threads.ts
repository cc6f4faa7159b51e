// The sandbox host's vessel worker threads. Booting one (Node's bootstrap of a thread, then loading the runtime)
// takes ~45 ms of cpu, and making its guest engine (instantiating QuickJS, evaluating the prelude) 25-45 ms more:
// most of what starting a small program costs. So the host boots a thread ahead, a spare, which makes its engine
// as soon as the host has compiled QuickJS (guest-engine.ts), and a vessel's start hands it the vessel
// (vessel-arrival.ts). The engine's memory cap is fixed when it is made, so a spare makes it for the memory quota the
// host expects (the last vessel's, or the one it was started with); a vessel with another quota gets its engine made
// on arrival, as a thread without a spare does.
// A thread whose vessel ended, on its own or stopped, and was torn down (vessel-run.ts) serves the next vessel: it
// makes a fresh engine as a spare does, and its host-side code is already compiled and optimized by V8, which a new
// thread pays for again in every vessel's first second (V8 shares no compiled JavaScript between isolates).
// A waiting thread waits on its port: no cpu, but ~8 MB of memory (a Node thread's own) and its engine's (~2 MB
// touched; and its last vessel's, if that never grew: vessel-worker.ts), so a node's host keeps at most MAX_IDLE of
// them, or one spare booted ahead when it has none, and lets them go after a minute without a start.
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { HostCharges } from './nanny/host-charges.js'
import { exactTimers } from './timer-slack.js'
import type { EngineMessage, VesselThreadData, WorkerMessage } from './sandbox-messages.js'

export interface VesselThread {
  worker: Worker
  /** The thread's own cpu while it serves no vessel (its boot, engines, teardowns): charged to nobody. */
  charges: HostCharges
  /** The thread was told which engine to make (an EngineMessage; one before each vessel). */
  engineSent: boolean
  /** Settles once the thread has loaded its code and waits for its engine (or has ended). */
  loaded: Promise<void>
}

/** The worker's entry, dist/runtime/vessel-worker.js, found from this module where the build put it: in
 *  dist/runtime/ (the sandbox host's bundle) or in a chunk of the CLI's bundle in dist/cli/ (`flotilla run`). */
const WORKER_ENTRY = new URL('../runtime/vessel-worker.js', import.meta.url)

/** The file of `module`, a path inside the built tree (dist/), found from this module the same way. */
export const builtFile = (module: string): string => fileURLToPath(new URL(`../${module}`, import.meta.url))

/** A thread booted before anything asked for one, with the registry it loads. */
let ahead: { frontEnds: string; thread: VesselThread } | undefined

/**
 * Boots the thread the next startVesselThread with this registry (`registry`, a path inside dist/) will answer.
 * `flotilla run` calls it first thing, so that Node boots its vessel's thread (~35 ms) while the command itself
 * loads and reads its files, instead of after (hello world 161 -> 144 ms, median of 15). Until taken it does not
 * keep the process alive: a command that ends before it runs a program (a usage mistake, --help) ends as before.
 */
export function bootThreadAhead(registry: string): void {
  const frontEnds = builtFile(registry)
  const thread = startVesselThread(frontEnds)
  thread.worker.unref()
  ahead = { frontEnds, thread }
}

/** A vessel thread's limits. Young generation 2 MB in all (V8 gives this old generation 4 MB of semi-spaces): a
 *  sleeping vessel's thread fills whatever it has over time, and its host-side garbage is short-lived and small. 10
 *  vessels sleeping for 20 s: the host's RSS 172-181 -> 161-162 MB (two runs each); guest calls unchanged within the
 *  noise. */
export const VESSEL_THREAD_LIMITS = { stackSizeMb: 4, maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 2 }

/** Starts a vessel thread; it waits for its vessel (a VesselMessage), loading the front-end registry meanwhile. */
export function startVesselThread(frontEnds?: string): VesselThread {
  if (ahead !== undefined && ahead.frontEnds === frontEnds) {
    const { thread } = ahead
    ahead = undefined
    thread.worker.ref()
    return thread
  }
  // A thread starts with the slack of the thread that made it: set before the first vessel thread, in every process
  // that makes them (a sandbox host, `flotilla run`, which boots its thread ahead).
  exactTimers()
  const charges = new HostCharges()
  const data: VesselThreadData = { charges: charges.sab, frontEnds }
  const worker = new Worker(WORKER_ENTRY, {
    workerData: data,
    resourceLimits: VESSEL_THREAD_LIMITS,
    env: {},
    stdout: false,
    stderr: false,
  })
  const loaded = new Promise<void>((resolve) => {
    const onMessage = (m: WorkerMessage) => {
      if (m.type !== 'loaded') return
      worker.off('message', onMessage)
      resolve()
    }
    worker.on('message', onMessage)
    worker.once('exit', () => resolve())
  })
  return { worker, charges, engineSent: false, loaded }
}

/** After a spare is taken, the next one boots this much later: vessels started together (a node restarting its
 *  vessels) take fresh threads without a spare booting beside them. */
const RESPARE_DELAY_MS = 100
/** A spare or a thread waiting for its next vessel that nobody took for this long ends (its memory back); the next
 *  start boots its own thread. */
export const SPARE_IDLE_MS = 60_000
/** The most threads a host keeps waiting after their vessels (~8-10 MB each); more ended vessels' threads end. */
export const MAX_IDLE = 2

export interface SpareEvents {
  /** A thread waits for a vessel (its cpu is not the running vessels'), or no longer (taken, retired, or died). */
  started(thread: VesselThread): void
  gone(thread: VesselThread): void
}

export class SpareThreads {
  private spare: VesselThread | undefined
  /** Boots the next spare, or retires the waiting one. */
  private timer: NodeJS.Timeout | undefined
  /** Threads that served a vessel and wait for the next, each with the timer that retires it. */
  private readonly idle = new Map<VesselThread, NodeJS.Timeout>()
  private closed = false
  /** QuickJS compiled, once the host has it (engineReady). */
  private quickjsModule: WebAssembly.Module | undefined

  /** `keep`: a spare after each start, and threads kept for reuse after their vessels (a node's host); otherwise
   *  only the first vessel's thread is booted ahead (a host for one program: the thread boots while the host itself
   *  gets ready), and a thread ends with its vessel. */
  constructor(
    private readonly keep: boolean,
    private readonly events: SpareEvents,
    /** The registry the vessels' threads load ahead (VesselThreadData.frontEnds). */
    private readonly frontEnds?: string,
    /** The memory quota the next vessel is expected to have; then the last vessel's. */
    private expectedMemoryQuota?: number,
    /** Its program, then the last vessel's: a spare loads its language's runtime ahead (EngineMessage.program). */
    private expectedProgram?: string,
  ) {}

  open(): void {
    this.startSpare()
  }

  /** Settles once the waiting spare (if any) has loaded its code. */
  spareLoaded(): Promise<void> {
    return this.spare?.loaded ?? Promise.resolve()
  }

  /** The host compiled QuickJS: the waiting spare, and each one after it, makes its engine. */
  engineReady(quickjsModule: WebAssembly.Module): void {
    this.quickjsModule = quickjsModule
    if (this.spare) this.sendEngine(this.spare, this.expectedMemoryQuota, this.expectedProgram)
  }

  /** A thread for a vessel with `memoryQuota` whose engine is made or on its way: one that served an earlier vessel
   *  if one waits, else the spare if one is booted and alive, else a new thread. Call only after engineReady. */
  take(memoryQuota: number, program: string): VesselThread {
    this.expectedMemoryQuota = memoryQuota
    this.expectedProgram = program
    const reused = this.takeIdle()
    const thread = reused ?? this.release() ?? startVesselThread(this.frontEnds)
    this.sendEngine(thread, memoryQuota, program)
    if (this.keep && !this.closed && !reused) this.schedule(RESPARE_DELAY_MS, () => this.startSpare())
    return thread
  }

  /** A thread whose vessel ended on its own or was stopped and is torn down (vessel-worker.ts), with nothing of the
   *  vessel's listening to it any more: it waits for the next vessel if the host keeps threads and has room for it;
   *  otherwise it ends. */
  giveBack(thread: VesselThread): void {
    if (!this.keep || this.closed || this.idle.size >= MAX_IDLE) {
      void thread.worker.terminate()
      return
    }
    thread.engineSent = false
    this.events.started(thread)
    const retire = setTimeout(() => {
      if (!this.idle.delete(thread)) return
      this.unwatch(thread)
      void thread.worker.terminate()
    }, SPARE_IDLE_MS)
    this.idle.set(thread, retire)
    thread.worker.once('exit', () => {
      if (!this.idle.delete(thread)) return
      clearTimeout(retire)
      this.unwatch(thread)
    })
    thread.worker.on('error', () => undefined)
    this.sendEngine(thread, this.expectedMemoryQuota, this.expectedProgram)
  }

  /** No more spares; the waiting threads end. */
  close(): void {
    this.closed = true
    clearTimeout(this.timer)
    void this.release()?.worker.terminate()
    for (;;) {
      const thread = this.takeIdle()
      if (!thread) break
      void thread.worker.terminate()
    }
  }

  private startSpare(): void {
    if (this.closed || this.spare || this.idle.size > 0) return
    const thread = startVesselThread(this.frontEnds)
    this.spare = thread
    this.events.started(thread)
    this.sendEngine(thread, this.expectedMemoryQuota, this.expectedProgram)
    // A spare that dies waiting (it should not) is dropped; the next vessel starts a thread of its own.
    thread.worker.once('exit', () => {
      if (this.spare === thread) this.release()
    })
    thread.worker.on('error', () => undefined)
    if (this.keep) this.schedule(SPARE_IDLE_MS, () => void this.release()?.worker.terminate())
  }

  /** The waiting spare, no longer a spare (or undefined). */
  private release(): VesselThread | undefined {
    const thread = this.spare
    if (!thread) return undefined
    this.spare = undefined
    this.unwatch(thread)
    return thread
  }

  /** The thread that waited longest after its vessel, no longer waiting (or undefined). */
  private takeIdle(): VesselThread | undefined {
    const first = this.idle.entries().next()
    if (first.done) return undefined
    const [thread, retire] = first.value
    this.idle.delete(thread)
    clearTimeout(retire)
    this.unwatch(thread)
    return thread
  }

  /** Drops the listeners a waiting thread had, and counts its cpu as the running vessels' again. */
  private unwatch(thread: VesselThread): void {
    thread.worker.removeAllListeners('exit')
    thread.worker.removeAllListeners('error')
    this.events.gone(thread)
  }

  /** Tells a thread which engine to make, once per vessel; without a quota to make it for, the vessel's start
   *  tells it. */
  private sendEngine(thread: VesselThread, memoryQuota: number | undefined, program: string | undefined): void {
    if (thread.engineSent || this.quickjsModule === undefined || memoryQuota === undefined) return
    thread.engineSent = true
    thread.worker.postMessage({
      type: 'engine',
      quickjsModule: this.quickjsModule,
      memoryQuota,
      program,
      // a thread taken at once (a host for one program, or no spare) would make its vessel wait for the rehearsal
      rehearse: this.keep && thread === this.spare,
      collectIdle: this.keep,
    } satisfies EngineMessage)
  }

  private schedule(ms: number, then: () => void): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      then()
    }, ms)
  }
}
