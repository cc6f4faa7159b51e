// The running vessels of one host: each vessel's worker thread (taken from the spares, vessel-threads.ts), its network
// broker on this thread, the host's cpu charged to it, and how it ended, reported once. The sandbox host process
// (sandbox-host.ts) runs one for its parent over IPC; `flotilla run` runs one in its own process (local-run.ts).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import { createBroker, type Broker } from './net/broker.js'
import { serveNetChannel } from './net/channel.js'
import type { UsageBoard } from './nanny/usage-board.js'
import type { HostCharges } from './nanny/host-charges.js'
import type { HostCpuCharger } from './host-cpu.js'
import type { SpareThreads } from './vessel-threads.js'
import type { HostUsage, VesselMessage, VesselSpec, WorkerMessage } from './sandbox-messages.js'
import type { BoardSnapshot } from './nanny/usage-board.js'
import type { Outcome } from './api/types.js'

const STOPPED_CODE = 44

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

interface Running {
  worker: Worker
  board: UsageBoard
  broker: Broker
  charges: HostCharges
  outcome: Outcome | null
  reported: boolean
}

export class VesselRunner {
  private readonly running = new Map<string, Running>()

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
    const { worker, syncPort, asyncPort, flag, board, charges } = this.spares.take(
      spec.restrictions.limits.memory,
      spec.program,
    )
    const broker = createBroker({ ip: spec.ip, restrictions: spec.restrictions })
    charger.add(spec.vesselId, charges, spec.restrictions.limits.cpu)
    broker.attach(
      serveNetChannel({ syncPort, asyncPort, flag }, (op, args) => {
        charger.message(spec.vesselId)
        return broker.handle(op, args)
      }),
    )
    worker.postMessage({ ...spec, type: 'vessel' } satisfies VesselMessage)
    const vessel: Running = { worker, board, broker, charges, outcome: null, reported: false }
    this.running.set(spec.vesselId, vessel)
    worker.on('message', (m: WorkerMessage) => {
      charger.message(spec.vesselId)
      if (m.type === 'output') events.output(spec.vesselId, m.text)
      else if (m.type === 'exit') {
        // The program is over: report it now rather than after the worker's teardown (tens of ms).
        vessel.outcome ??= m.outcome
        report()
        void worker.terminate()
      }
    })
    worker.on('error', (err) => {
      vessel.outcome ??= { status: 'Terminated', code: 70, reason: `the vessel's sandbox failed: ${err.message}` }
    })
    worker.on('exit', () => report())
    /** Frees the vessel's sockets and tells the owner how it ended, once. */
    const report = (): void => {
      if (vessel.reported) return
      vessel.reported = true
      broker.closeAll()
      charger.remove(spec.vesselId)
      syncPort.close()
      asyncPort.close()
      if (this.running.get(spec.vesselId) === vessel) this.running.delete(spec.vesselId)
      events.exit(
        spec.vesselId,
        vessel.outcome ?? { status: 'Terminated', code: 70, reason: 'the sandbox worker exited' },
      )
    }
  }

  stop(vesselId: string, reason = 'stopped'): void {
    const vessel = this.running.get(vesselId)
    if (!vessel) return
    vessel.outcome ??= { status: 'Stopped', code: STOPPED_CODE, reason }
    void vessel.worker.terminate()
  }

  /** The vessel's live usage, read from its worker's shared board; null if it is not running. */
  usage(vesselId: string): BoardSnapshot | null {
    return this.running.get(vesselId)?.board.read() ?? null
  }

  /** What the host holds and spends for the vessel; null if it is not running. */
  hostUsage(vesselId: string): HostUsage | null {
    const vessel = this.running.get(vesselId)
    return vessel ? { bufferedBytes: vessel.broker.buffered(), chargedCpuSeconds: vessel.charges.cpuSeconds() } : null
  }
}
