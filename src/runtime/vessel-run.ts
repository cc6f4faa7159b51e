// One vessel's run on a worker thread of the sandbox host: its own QuickJS WebAssembly instance, memory and stack
// limits, nanny and API. It reports output and, once, how the program ended; then teardown() closes what the run
// had open (its files, channel to the host and timers), so that the thread may serve the next vessel. The thread keeps
// the run's host-side functions a while after (RunEnd.hostSide), never in reach of the next vessel.
import { parentPort } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import type { QuickJSHandle } from 'quickjs-emscripten'
import { EventTurns, TURN_MS } from './event-turns.js'
import { addressOps } from './api/addresses.js'
import { diskUsedIn, fileOps } from './api/files.js'
import { logOps } from './api/log.js'
import { namespaceOps } from './api/namespace.js'
import { randomOps } from './api/random.js'
import { resourceOps } from './api/resources.js'
import { tcpOps } from './api/tcp.js'
import { MAIN_THREAD, threadOps, UNCAUGHT_EXCEPTION_CODE } from './api/threads.js'
import { timeOps } from './api/time.js'
import { udpOps } from './api/udp.js'
import { createNanny } from './nanny/create-nanny.js'
import { threadCpuGranularity, threadCpuSeconds } from './nanny/thread-cpu.js'
import { UsageBoard } from './nanny/usage-board.js'
import { HostCharges } from './nanny/host-charges.js'
import { NetChannel } from './net/channel.js'
import { GuestMemory } from './guest-memory.js'
import { installModuleLoader } from './program-loader.js'
import { isUnsafeProgramError } from './front-end.js'
import { repyOps } from './api/repy.js'
import { RepyError } from './errors.js'
import { outputChunks } from './cap-text.js'
import { handleStops, recordIdleCpu, type ArrivedVessel } from './vessel-arrival.js'
import { cancelTimers } from './run-timers.js'
import { engineNeverGrew, hardMemoryLimit, type GuestEngine } from './guest-engine.js'
import type { OpTable, Outcome, Threads, VesselEnv } from './api/types.js'
import type { BridgeHooks } from './bridge.js'
import { STOPPED_CODE, type WorkerMessage } from './sandbox-messages.js'

export const UNSAFE_CODE_CODE = 5
export const INTERNAL_ERROR_CODE = 3
export const RESOURCE_KILL_CODE = 98

export interface RunEnd {
  outcome: Outcome
  /** Frees everything of the run; false if something could not be freed (the thread must not serve again). */
  teardown: () => boolean
  /** The run's host-side functions (its operations, nanny and hooks), which the thread keeps until its next vessel's
   *  (vessel-worker.ts); once torn down they reach the engine only if teardown kept it there (a small one). */
  hostSide: { readonly functions: object; engine?: GuestEngine }
}

/** What of the engine the run's functions use, through `guest` (below), which teardown clears. */
interface Guest {
  readonly engine: GuestEngine
  readonly memory: GuestMemory
}

/** Runs the vessel; resolves once it has ended (its outcome is for the caller to post, after teardown). */
export function runVessel({ config, frontEnd, engine }: ArrivedVessel): Promise<RunEnd> {
  let settle!: (outcome: Outcome) => void
  const ended = new Promise<Outcome>((resolve) => {
    settle = resolve
  })

  // The run's functions (closures) reach the engine only through `guest`: whatever one of them names is kept in the
  // context they all share, and the thread keeps them after the run (RunEnd.hostSide). So `rt`, `ctx` and `bridge`
  // are for the straight-line code of this function only.
  const { rt, ctx, bridge } = engine
  const post = (m: WorkerMessage) => parentPort!.postMessage(m)
  const postOutput = (text: string) => {
    for (const chunk of outputChunks(text)) post({ type: 'output', text: chunk })
  }
  const started = performance.now()

  const memoryQuota = config.restrictions.limits.memory
  const hardLimit = hardMemoryLimit(memoryQuota)
  rt.setMemoryLimit(hardLimit)
  let guest: Guest | null = { engine, memory: new GuestMemory(rt, ctx, hardLimit) }
  const memoryUsed = (): number => guest?.memory.used() ?? 0

  let ending: Outcome | null = null
  let finished = false
  let guestDepth = 0
  let mainDone = false
  let liveThreads = 0
  /** A module could not be loaded; while the program itself is being loaded, that makes it unloadable (code 5). */
  let importRefused = false

  const finish = (outcome: Outcome) => {
    if (finished) return
    finished = true
    nanny.publish()
    settle(outcome)
  }
  /** Ends the program: at once when no guest code is on the stack, otherwise once the interrupt has unwound it. */
  const end = (outcome: Outcome) => {
    ending ??= outcome
    if (guestDepth === 0) finish(ending)
  }
  const inGuest = <T>(fn: (engine: GuestEngine) => T): T => {
    guestDepth++
    try {
      return fn(guest!.engine)
    } finally {
      guestDepth--
      if (ending && guestDepth === 0) finish(ending)
    }
  }
  const checkDone = () => {
    if (mainDone && liveThreads === 0 && withinMemoryQuota()) end({ status: 'Terminated', code: 0, reason: 'finished' })
  }

  const runtime = () => (performance.now() - started) / 1000
  const hostCharges = new HostCharges(config.charges)
  /** The host's stop: its checkpoint ends the program, and its pauses (the cpu governor's) wake at once. */
  const stopCell = new Int32Array(config.stop)
  const stopped = (): Outcome => ({ status: 'Stopped', code: STOPPED_CODE, reason: 'stopped' })
  handleStops((runId) => {
    if (runId === config.runId) end(stopped())
  })
  /** What the run's operations hold outside the engine (open files), freed by teardown. */
  const closers: Array<() => void> = []
  /** The thread's own cpu, also published for the host, which charges the vessel only for the process's cpu beyond it. */
  const ownCpuSeconds = (): number => {
    const seconds = threadCpuSeconds()
    hostCharges.recordThreadCpu(seconds)
    return seconds
  }
  ownCpuSeconds()
  const nanny = createNanny(config.restrictions, {
    initialDiskUsed: diskUsedIn(config.cwd),
    memoryUsed,
    threadCpuSeconds: ownCpuSeconds,
    cpuGranularity: threadCpuGranularity(),
    hostCpuSeconds: () => hostCharges.cpuSeconds(),
    runtime,
    board: new UsageBoard(config.board),
    deferRateWaits: frontEnd.deferRateWaits,
    sleepSync: (seconds) => {
      if (seconds > 0) Atomics.wait(stopCell, 0, 0, seconds * 1000)
    },
  })
  const memoryExceeded = (): Outcome => ({
    status: 'Terminated',
    code: RESOURCE_KILL_CODE,
    reason: `memory quota exceeded (${memoryQuota} bytes)`,
  })
  // QuickJS polls its interrupt handler only every 10,000 jumps or calls, and never inside one builtin call (a giant
  // join or sort), so the same checkpoint also runs on every host call.
  rt.setInterruptHandler(() => !checkpoint())

  const threads: Threads = {
    current: MAIN_THREAD,
    name: (id) => (id === MAIN_THREAD ? 'MainThread' : `_EVENT:Thread:${id}`),
    lastError: new Map(),
  }
  const env: VesselEnv = {
    cwd: config.cwd,
    ip: config.ip,
    nanny,
    threads,
    net: new NetChannel(config.net),
    runtime,
    output: postOutput,
    end,
    atTeardown: (close) => closers.push(close),
    threadStarted: () => {
      liveThreads++
    },
    threadFinished: () => {
      liveThreads--
      checkDone()
    },
  }

  const operations: OpTable = {
    ...logOps(env),
    ...timeOps(env),
    ...randomOps(env),
    ...addressOps(env),
    ...threadOps(env),
    ...resourceOps(env),
    ...fileOps(env),
    ...tcpOps(env),
    ...udpOps(env),
    ...namespaceOps(),
    ...repyOps(env, frontEnd.compile),
  }
  const hooks: BridgeHooks = {
    onInternalError: (op, err) =>
      end({
        status: 'Terminated',
        code: INTERNAL_ERROR_CODE,
        reason: `internal error in ${op}: ${(err as Error)?.message ?? err}`,
      }),
    afterSettle: () => pump(),
    isEnded: () => ending !== null,
    mayProceed: () => checkpoint(),
    callBegins: () => nanny.beginCall(),
    callEnds: () => nanny.endCall(),
    deferredWait: () => nanny.takeDeferredWait(),
  }
  /** The cpu share is held from the loading of the program on. The runtime's own setup before it (the prelude, a
   *  Repy program's runtime, the globals: a few ms of cpu, the same for every program) counts in the vessel's cpu
   *  usage but is not paused for: held to a node vessel's share of a core, it alone made a start take 60 ms or more. */
  let governing = false

  /** Run at every interrupt and every host call: the memory quota, then the cpu share (the governor may pause this
   *  thread here). False when the program must end. */
  function checkpoint(): boolean {
    if (Atomics.load(stopCell, 0) !== 0) end(stopped())
    if (!withinMemoryQuota()) return false
    env.net.flushLate()
    if (!governing) return true
    try {
      nanny.onInterrupt()
      return true
    } catch (err) {
      end({
        status: 'Terminated',
        code: INTERNAL_ERROR_CODE,
        reason:
          err instanceof RepyError
            ? `${err.repyName}: ${err.message}`
            : `cpu accounting failed: ${(err as Error).message}`,
      })
      return false
    }
  }

  /** Over the quota ends the program (one memory load). */
  function withinMemoryQuota(): boolean {
    if (ending) return false
    if (memoryUsed() <= memoryQuota) return true
    end(memoryExceeded())
    return false
  }

  /** The guest stopped with an error nobody caught: say what and where, in Repy's terms. */
  function uncaught(description: string, where: string): Outcome {
    if (/^InternalError: out of memory/.test(description) || memoryUsed() > memoryQuota) return memoryExceeded()
    return {
      status: 'Terminated',
      code: UNCAUGHT_EXCEPTION_CODE,
      reason: `uncaught exception in ${where}: ${description}`,
    }
  }

  const turns = new EventTurns(() => performance.now())
  function pump(): void {
    if (finished || ending || !turns.mayRun(pump)) return
    const failure = inGuest((g) => g.bridge.runJobs(TURN_MS))
    if (failure && !ending) end(uncaught(failure, 'a job'))
    watchMain()
    // Jobs left after a turn's worth (a chain of the program's own promises, such as two threads handing a lock back
    // and forth, never empties the queue): the rest runs once the event loop has had its turn (timers, messages).
    if (!ending && guest?.engine.bridge.hasJobs()) setImmediate(pump)
  }

  /** The main program's promise, until it settles. Its state is read directly (ctx.resolvePromise would call the
   *  guest's Promise.resolve and then, which the program may have replaced). */
  let mainPromise: QuickJSHandle | null = null
  function watchMain(): void {
    if (!mainPromise || ending || !guest) return
    const { bridge, ctx } = guest.engine
    if (bridge.isPending(mainPromise)) return
    const state = ctx.getPromiseState(mainPromise)
    if (state.type === 'pending') return
    const handle = mainPromise
    mainPromise = null
    if (state.type === 'rejected') {
      const description = bridge.describe(state.error)
      state.error.dispose()
      handle.dispose()
      end(uncaught(description, 'the main program'))
    } else {
      if (!state.notAPromise) state.value.dispose()
      handle.dispose()
      nanny.release('events', 'main')
      mainDone = true
      checkDone()
    }
  }

  try {
    nanny.acquire('events', 'main')
    const runtimeScript = engine.runtime ? undefined : frontEnd.runtimeScript?.()
    inGuest(({ bridge, ctx }) => {
      bridge.bind(operations, threads, hooks, runtimeScript)
      bridge.defineGlobal('callargs', config.callargs, true)
      ctx.unwrapResult(ctx.evalCode('globalThis.mycontext = {}', 'flotilla:globals', { type: 'global' })).dispose()
    })
    installModuleLoader(rt, config.cwd, nanny, () => {
      importRefused = true
    })
  } catch (err) {
    end({
      status: 'Terminated',
      code: INTERNAL_ERROR_CODE,
      reason: `the sandbox could not start: ${(err as Error).message}`,
    })
  }

  governing = true
  // the governor's start: it takes the thread's cpu from here, and refuses a cpu limit of 0 before the program loads
  checkpoint()

  if (!ending) {
    let source: string | null = null
    try {
      source = frontEnd.programSource(config.cwd, config.program)
    } catch (err) {
      if (isUnsafeProgramError(err)) {
        // As Repy does: both lines go to the program's output too.
        const message = `Specified repy program is unsafe!\nStatic-code analysis failed with error: Code failed safety check! Error: ${err.message}`
        postOutput(`${message}\n`)
        end({ status: 'Terminated', code: UNSAFE_CODE_CODE, reason: message })
      } else {
        end({
          status: 'Terminated',
          code: UNSAFE_CODE_CODE,
          reason: `cannot load ${config.program}: ${(err as Error).message}`,
        })
      }
    }
    if (source !== null) {
      const result = inGuest((g) => g.ctx.evalCode(source, config.program, { type: 'module' }))
      if (result.error) {
        const description = bridge.describe(result.error)
        // QuickJS gives the errors of parsing (the program's or an imported module's) a lineNumber, and a static import
        // that cannot be loaded fails before the program runs: both mean it cannot be loaded. An exception
        // thrown by the program's first synchronous run has none, and is an uncaught exception like any other.
        const lineNumber = ctx.getProp(result.error, 'lineNumber')
        const compileError = importRefused || ctx.typeof(lineNumber) === 'number'
        lineNumber.dispose()
        result.error.dispose()
        if (!ending) {
          end(
            compileError
              ? {
                  status: 'Terminated',
                  code: UNSAFE_CODE_CODE,
                  reason: `${config.program} ${importRefused ? 'cannot be loaded' : 'does not compile'}: ${description}`,
                }
              : uncaught(description, 'the main program'),
          )
        }
      } else {
        mainPromise = result.value
        pump()
      }
    }
  }

  /** After the run: the host's channel closed (a late answer or wake-up for this vessel goes nowhere), its timers
   *  cancelled, its files closed. The engine is not freed object by object in QuickJS: dropped, its WebAssembly
   *  instance and memory go with it; one whose memory never grew stays, unused, with the host side. The next
   *  vessel's engine is a new instance either way. */
  const hostSide: RunEnd['hostSide'] = { functions: { operations, env, hooks } }
  const teardown = (): boolean => {
    // Kept with the functions unless it grew: V8's optimized code for the engine's own calls lives as long as it.
    if (guest && engineNeverGrew(guest.engine)) hostSide.engine = guest.engine
    guest = null
    mainPromise = null
    handleStops(undefined)
    cancelTimers()
    config.net.syncPort.close()
    config.net.asyncPort.close()
    let clean = true
    for (const close of closers.splice(0)) {
      try {
        close()
      } catch {
        clean = false
      }
    }
    recordIdleCpu()
    return clean
  }
  return ended.then((outcome) => ({ outcome, teardown, hostSide }))
}
