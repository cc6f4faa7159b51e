// The sandbox host: a separate process, started under Node's permission model with a scrubbed environment, that
// runs each vessel's program in a worker thread and keeps the vessels' sockets on its main thread. It holds no keys
// and can write only the vessels' directories. The parent talks to it over the IPC channel.
import { HostCpuCharger } from './host-cpu.js'
import { SpareThreads } from './vessel-threads.js'
import { warmUpEngine } from './engine-warm-up.js'
import { compileQuickJS, VesselRunner } from './vessel-runner.js'
import type { HostEvent, HostRequest } from './sandbox-messages.js'
import { capOutcome, outputChunks } from './cap-text.js'

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
// Instantiating a compiled module is also faster than each worker compiling it.
const quickjsModule = await compileQuickJS()
spares.engineReady(quickjsModule)
// The backstop for what a worker reports: no message to the parent carries unbounded guest text.
const send = (e: HostEvent) => {
  if (e.type === 'exit') process.send?.({ ...e, outcome: capOutcome(e.outcome) })
  else if (e.type === 'output') for (const text of outputChunks(e.text)) process.send?.({ ...e, text })
  else process.send?.(e)
}
const runner = new VesselRunner(spares, charger, {
  output: (vesselId, text) => send({ type: 'output', vesselId, text }),
  exit: (vesselId, outcome) => {
    send({ type: 'exit', vesselId, outcome })
    if (shuttingDown && runner.size === 0) end()
  },
})
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

process.on('message', (req: HostRequest) => {
  switch (req.type) {
    case 'start':
      return runner.start(req.spec)
    case 'stop':
      return runner.stop(req.vesselId, req.reason)
    case 'usage':
      return send({ type: 'usage', requestId: req.requestId, usage: runner.usage(req.vesselId) })
    case 'host-usage':
      return send({ type: 'host-usage', requestId: req.requestId, usage: runner.hostUsage(req.vesselId) })
    case 'shutdown': {
      shuttingDown = true
      spares.close()
      for (const id of runner.vesselIds) runner.stop(id, 'the sandbox host is shutting down')
      setTimeout(end, 200).unref()
      if (runner.size === 0) end()
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
