// The sandbox host: a separate process, started under Node's permission model with a scrubbed environment, that
// runs each vessel's program in a worker thread and keeps the vessels' sockets on its main thread. It holds no keys
// and can write only the vessels' directories. The parent talks to it over the IPC channel.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Worker } from 'node:worker_threads'
import { createBroker, type Broker } from './net/broker.js'
import { serveNetChannel } from './net/channel.js'
import type { UsageBoard } from './nanny/usage-board.js'
import type { HostCharges } from './nanny/host-charges.js'
import { HostCpuCharger } from './host-cpu.js'
import { SpareThreads } from './vessel-threads.js'
import { warmUpEngine } from './engine-warm-up.js'
import type { HostEvent, HostRequest, VesselMessage, VesselSpec, WorkerMessage } from './sandbox-messages.js'
import type { Outcome } from './api/types.js'
import { capOutcome, outputChunks } from './cap-text.js'

export const STOPPED_CODE = 44

interface Running {
  worker: Worker
  board: UsageBoard
  broker: Broker
  charges: HostCharges
  outcome: Outcome | null
  reported: boolean
}

const running = new Map<string, Running>()
/** Asked to shut down: the process ends once its last vessel has been reported. */
let shuttingDown = false
const charger = new HostCpuCharger()
const argument = (prefix: string) => process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length)
const longLived = process.argv.includes('--keep-spare')
const frontEnds = argument('--front-ends=')
/** What the first vessel is expected to be (SandboxOptions.expected): its spare's engine is made for it. */
const memoryQuotaArg = Number(argument('--memory-quota='))
/** `--keep-spare` (a node's host): a booted thread waits for each next vessel; else only for the first. Started
 *  before QuickJS is compiled below, so that the thread boots while this process gets ready. */
const spares = new SpareThreads(
  longLived,
  {
    started: (thread) => charger.addSpare(thread.charges),
    gone: (thread) => charger.removeSpare(thread.charges),
  },
  frontEnds,
  Number.isSafeInteger(memoryQuotaArg) && memoryQuotaArg >= 0 ? memoryQuotaArg : undefined,
  argument('--program='),
)
spares.open()
// Compiled here once: when each worker compiled QuickJS itself, six or more workers starting together could all
// hang in the asynchronous WebAssembly compile and never start. Instantiating a compiled module is also faster.
const quickjsModule = await WebAssembly.compile(
  readFileSync(fileURLToPath(import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'))),
)
spares.engineReady(quickjsModule)
// The backstop for what a worker reports: no message to the parent carries unbounded guest text.
const send = (e: HostEvent) => {
  if (e.type === 'exit') process.send?.({ ...e, outcome: capOutcome(e.outcome) })
  else if (e.type === 'output') for (const text of outputChunks(e.text)) process.send?.({ ...e, text })
  else process.send?.(e)
}
// `--warm-up`: a node's host runs for long, so it warms the engine up for its vessels (engine-warm-up.ts). A host
// for one program does not: the warm-up's cpu would be most of a short program's.
if (process.argv.includes('--warm-up'))
  warmUpEngine(quickjsModule, frontEnds, {
    started: (charges) => charger.addSpare(charges),
    done: (charges, ms, error) => {
      charger.removeSpare(charges)
      send({ type: 'warmed-up', ms, error })
    },
  })

function start(spec: VesselSpec): void {
  if (running.has(spec.vesselId)) {
    send({
      type: 'exit',
      vesselId: spec.vesselId,
      outcome: { status: 'Terminated', code: 3, reason: 'already running' },
    })
    return
  }
  const { worker, syncPort, asyncPort, flag, board, charges } = spares.take(
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
  running.set(spec.vesselId, vessel)
  worker.on('message', (m: WorkerMessage) => {
    charger.message(spec.vesselId)
    if (m.type === 'output') send({ type: 'output', vesselId: spec.vesselId, text: m.text })
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
  /** Frees the vessel's sockets and tells the parent how it ended, once. */
  function report(): void {
    if (vessel.reported) return
    vessel.reported = true
    broker.closeAll()
    charger.remove(spec.vesselId)
    syncPort.close()
    asyncPort.close()
    if (running.get(spec.vesselId) === vessel) running.delete(spec.vesselId)
    send({
      type: 'exit',
      vesselId: spec.vesselId,
      outcome: vessel.outcome ?? { status: 'Terminated', code: 70, reason: 'the sandbox worker exited' },
    })
    if (shuttingDown && running.size === 0) end()
  }
}

function stop(vesselId: string, reason = 'stopped'): void {
  const vessel = running.get(vesselId)
  if (!vessel) return
  vessel.outcome ??= { status: 'Stopped', code: STOPPED_CODE, reason }
  void vessel.worker.terminate()
}

process.on('message', (req: HostRequest) => {
  switch (req.type) {
    case 'start':
      return start(req.spec)
    case 'stop':
      return stop(req.vesselId, req.reason)
    case 'usage': {
      const vessel = running.get(req.vesselId)
      return send({ type: 'usage', requestId: req.requestId, usage: vessel ? vessel.board.read() : null })
    }
    case 'host-usage': {
      const vessel = running.get(req.vesselId)
      const usage = vessel
        ? { bufferedBytes: vessel.broker.buffered(), chargedCpuSeconds: vessel.charges.cpuSeconds() }
        : null
      return send({ type: 'host-usage', requestId: req.requestId, usage })
    }
    case 'shutdown': {
      shuttingDown = true
      spares.close()
      for (const id of running.keys()) stop(id, 'the sandbox host is shutting down')
      setTimeout(end, 200).unref()
      if (running.size === 0) end()
    }
  }
})

/** Ends the process once the parent has every message, without an orderly exit: that would wait for V8's background
 *  compiler to finish optimizing QuickJS's hot code (up to 0.3 s of cpu after a short program), for nothing. */
function end(): void {
  process.send?.({ type: 'bye' } satisfies HostEvent, () => process.kill(process.pid, 'SIGKILL'))
}
// The parent went away: nothing may outlive it, and nobody is left to tell.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'))
// The parent alone decides when the host ends ('shutdown', or going away). A signal meant for the node too (Ctrl-C
// to a process group, a service manager's SIGTERM to all of them) must not end its vessels before the node has
// recorded that they are to be restarted.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined)
send({ type: 'ready' })
