// The sandbox host's vessel worker threads. Booting one (Node's bootstrap of a thread, then loading the runtime)
// takes ~45 ms of cpu, and making its guest engine (instantiating QuickJS, evaluating the prelude) 25-45 ms more:
// most of what starting a small program costs. So the host boots a thread ahead, a spare, which makes its engine
// as soon as the host has compiled QuickJS (guest-engine.ts), and a vessel's start hands it the vessel
// (vessel-arrival.ts). Each thread runs one vessel and is never reused. The engine's memory cap is fixed when it is
// made, so a spare makes it for the memory quota the host expects (the last vessel's, or the one it was started
// with); a vessel with another quota gets its engine made on arrival, as a thread without a spare does.
// A spare waits on its port: no cpu, but ~8 MB of memory (a Node thread's own) and its engine's (~2 MB touched),
// so a node's host keeps one only while vessels are being started, and lets it go after a minute without a start.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import { HostCharges } from './nanny/host-charges.js'
import { UsageBoard } from './nanny/usage-board.js'
import type { EngineMessage, VesselThreadData, WorkerMessage } from './sandbox-messages.js'

export interface VesselThread {
  worker: Worker
  /** The host's ends of the vessel's net channel. */
  syncPort: MessagePort
  asyncPort: MessagePort
  flag: SharedArrayBuffer
  board: UsageBoard
  charges: HostCharges
  /** The thread was told which engine to make (an EngineMessage; each thread gets one, before its vessel). */
  engineSent: boolean
  /** Settles once the thread has loaded its code and waits for its engine (or has ended). */
  loaded: Promise<void>
}

/** The worker's entry, dist/runtime/vessel-worker.js, found from this module where the build put it: in
 *  dist/runtime/ (the sandbox host's bundle) or in a chunk of the CLI's bundle in dist/cli/ (`flotilla run`). */
const WORKER_ENTRY = new URL('../runtime/vessel-worker.js', import.meta.url)

/** Starts a vessel thread; it waits for its vessel (a VesselMessage), loading the front-end registry meanwhile. */
export function startVesselThread(frontEnds?: string): VesselThread {
  const sync = new MessageChannel()
  const async = new MessageChannel()
  const flag = new SharedArrayBuffer(4)
  const board = new UsageBoard()
  const charges = new HostCharges()
  const data: VesselThreadData = {
    net: { syncPort: sync.port1, asyncPort: async.port1, flag },
    board: board.sab,
    charges: charges.sab,
    frontEnds,
  }
  const worker = new Worker(WORKER_ENTRY, {
    workerData: data,
    transferList: [sync.port1, async.port1],
    // Young generation 2 MB in all (V8 gives this old generation 4 MB of semi-spaces): a sleeping vessel's thread
    // fills whatever it has over time, and its host-side garbage is short-lived and small. 10 vessels sleeping for
    // 20 s: the host's RSS 172-181 -> 161-162 MB (two runs each); guest calls unchanged within the noise.
    resourceLimits: { stackSizeMb: 4, maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 2 },
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
  return { worker, syncPort: sync.port2, asyncPort: async.port2, flag, board, charges, engineSent: false, loaded }
}

/** After a spare is taken, the next one boots this much later: vessels started together (a node restarting its
 *  vessels) take fresh threads without a spare booting beside them. */
const RESPARE_DELAY_MS = 100
/** A spare nobody took for this long ends (its memory back); the next start boots its own thread. */
export const SPARE_IDLE_MS = 60_000

export interface SpareEvents {
  /** A spare was started (its cpu is not the running vessels'), or is gone (taken, retired, or died). */
  started(thread: VesselThread): void
  gone(thread: VesselThread): void
}

export class SpareThreads {
  private spare: VesselThread | undefined
  /** Boots the next spare, or retires the waiting one. */
  private timer: NodeJS.Timeout | undefined
  private closed = false
  /** QuickJS compiled, once the host has it (engineReady). */
  private quickjsModule: WebAssembly.Module | undefined

  /** `keep`: a spare after each start (a node's host); otherwise only the first vessel's thread is booted ahead (a
   *  host for one program: the thread boots while the host itself gets ready). */
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

  /** A thread for a vessel with `memoryQuota` whose engine is made or on its way: the spare if one is booted and
   *  alive, else a new thread. Call only after engineReady. */
  take(memoryQuota: number, program: string): VesselThread {
    this.expectedMemoryQuota = memoryQuota
    this.expectedProgram = program
    const thread = this.release() ?? startVesselThread(this.frontEnds)
    this.sendEngine(thread, memoryQuota, program)
    if (this.keep && !this.closed) this.schedule(RESPARE_DELAY_MS, () => this.startSpare())
    return thread
  }

  /** No more spares; the waiting one ends. */
  close(): void {
    this.closed = true
    clearTimeout(this.timer)
    void this.release()?.worker.terminate()
  }

  private startSpare(): void {
    if (this.closed || this.spare) return
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
    thread.worker.removeAllListeners('exit')
    thread.worker.removeAllListeners('error')
    this.events.gone(thread)
    return thread
  }

  /** Tells a thread which engine to make, once; without a quota to make it for, the vessel's start tells it. */
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
