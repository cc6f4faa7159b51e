// The running vessels of one host: each vessel's worker thread (taken from the spares, vessel-threads.ts, and handed
// back when the vessel has ended), its network broker on this thread, the host's cpu charged to it, and how it ended,
// reported once. The sandbox host process (sandbox-host.ts) runs one for its parent over IPC; `flotilla run` runs one
// in its own process (local-run.ts).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MessageChannel } from 'node:worker_threads'
import { createBroker, type Broker } from './net/broker.js'
import { serveNetChannel } from './net/channel.js'
import { UsageBoard } from './nanny/usage-board.js'
import { HostCharges } from './nanny/host-charges.js'
import type { HostCpuCharger } from './host-cpu.js'
import type { SpareThreads, VesselThread } from './vessel-threads.js'
import {
  STOPPED_CODE,
  type HostUsage,
  type StopMessage,
  type VesselMessage,
  type VesselSpec,
  type WorkerMessage,
} from './sandbox-messages.js'
import type { BoardSnapshot } from './nanny/usage-board.js'
import type { Outcome } from './api/types.js'

/** QuickJS's WebAssembly, the build the engine uses (guest-engine.ts). */
export const quickJSWasm = (): Uint8Array<ArrayBuffer> =>
  readFileSync(fileURLToPath(import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')))

/** QuickJS compiled once per host, for every vessel thread to instantiate: when each worker compiled it itself, six
 *  or more workers starting together could all hang in the asynchronous WebAssembly compile and never start. */
export const compileQuickJS = (): Promise<WebAssembly.Module> => WebAssembly.compile(quickJSWasm())

/** What the runner tells its owner: a vessel's output, and its end (once per vessel). */
export interface RunnerEvents {
  output(vesselId: string, text: string): void
  exit(vesselId: string, outcome: Outcome): void
}

/** A stopped vessel's thread that has not ended the program this long after the stop is terminated. */
const STOP_GRACE_MS = 1000

interface Running {
  thread: VesselThread
  board: UsageBoard
  broker: Broker
  charges: HostCharges
  /** Its run's stop flag (RunChannels.stop). */
  stopFlag: Int32Array
  runId: number
  outcome: Outcome | null
  reported: boolean
  /** Terminates the thread of a stopped vessel that does not end. */
  stopTimer?: NodeJS.Timeout
}

export class VesselRunner {
  private readonly running = new Map<string, Running>()
  private nextRun = 1

  constructor(
    private readonly spares: SpareThreads,
    private readonly charger: HostCpuCharger,
    private readonly events: RunnerEvents,
  ) {}

  /** Vessels started and not reported ended yet. */
  get size(): number {
    return this.running.size
  }

  get vesselIds(): string[] {
    return [...this.running.keys()]
  }

  start(spec: VesselSpec): void {
    const { charger, events } = this
    if (this.running.has(spec.vesselId)) {
      events.exit(spec.vesselId, { status: 'Terminated', code: 3, reason: 'already running' })
      return
    }
    const thread = this.spares.take(spec.restrictions.limits.memory, spec.program)
    const { worker } = thread
    // The run's own channels: nothing of another run on this thread can reach them (RunChannels).
    const sync = new MessageChannel()
    const async = new MessageChannel()
    const flag = new SharedArrayBuffer(4)
    const board = new UsageBoard()
    const charges = new HostCharges()
    const stop = new SharedArrayBuffer(4)
    const runId = this.nextRun++
    const broker = createBroker({ ip: spec.ip, restrictions: spec.restrictions })
    charger.add(spec.vesselId, charges, spec.restrictions.limits.cpu)
    broker.attach(
      serveNetChannel({ syncPort: sync.port2, asyncPort: async.port2, flag }, (op, args) => {
        charger.message(spec.vesselId)
        return broker.handle(op, args)
      }),
    )
    const message: VesselMessage = {
      ...spec,
      type: 'vessel',
      runId,
      net: { syncPort: sync.port1, asyncPort: async.port1, flag },
      board: board.sab,
      charges: charges.sab,
      stop,
    }
    worker.postMessage(message, [sync.port1, async.port1])
    const vessel: Running = {
      thread,
      board,
      broker,
      charges,
      stopFlag: new Int32Array(stop),
      runId,
      outcome: null,
      reported: false,
    }
    this.running.set(spec.vesselId, vessel)
    /** The thread ended the program itself (on its own, or asked to stop), tore it down, and may serve again. */
    let reusable = false
    const onMessage = (m: WorkerMessage): void => {
      charger.message(spec.vesselId)
      if (m.type === 'output') events.output(spec.vesselId, m.text)
      else if (m.type === 'exit') {
        vessel.outcome ??= m.outcome
        reusable = m.reusable
        report()
      }
    }
    const onError = (err: Error): void => {
      reusable = false
      vessel.outcome ??= { status: 'Terminated', code: 70, reason: `the vessel's sandbox failed: ${err.message}` }
    }
    const onExit = (): void => {
      reusable = false
      report()
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
    /** Frees the vessel's sockets, tells the owner how it ended, once, and hands the thread back or ends it. */
    const report = (): void => {
      if (vessel.reported) return
      vessel.reported = true
      clearTimeout(vessel.stopTimer)
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
      broker.closeAll()
      charger.remove(spec.vesselId)
      sync.port2.close()
      async.port2.close()
      if (this.running.get(spec.vesselId) === vessel) this.running.delete(spec.vesselId)
      if (reusable) this.spares.giveBack(thread)
      else void worker.terminate()
      events.exit(
        spec.vesselId,
        vessel.outcome ?? { status: 'Terminated', code: 70, reason: 'the sandbox worker exited' },
      )
    }
  }

  /** Asks the vessel's thread to end the program (its checkpoint, or a wait it is in, sees the stop); a thread that
   *  has not ended it within STOP_GRACE_MS is terminated. */
  stop(vesselId: string, reason = 'stopped'): void {
    const vessel = this.running.get(vesselId)
    if (!vessel || vessel.stopTimer) return
    vessel.outcome ??= { status: 'Stopped', code: STOPPED_CODE, reason }
    Atomics.store(vessel.stopFlag, 0, 1)
    Atomics.notify(vessel.stopFlag, 0)
    const { worker } = vessel.thread
    worker.postMessage({ type: 'stop', runId: vessel.runId } satisfies StopMessage)
    vessel.stopTimer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS)
  }

  /** The vessel's live usage, read from its worker's shared board; null if it is not running. */
  usage(vesselId: string): BoardSnapshot | null {
    return this.running.get(vesselId)?.board.read() ?? null
  }

  /** What the host holds and spends for the vessel; null if it is not running. */
  hostUsage(vesselId: string): HostUsage | null {
    const vessel = this.running.get(vesselId)
    return vessel
      ? {
          bufferedBytes: vessel.broker.buffered(),
          chargedCpuSeconds: vessel.charges.cpuSeconds(),
          threadId: vessel.thread.worker.threadId,
        }
      : null
  }
}
