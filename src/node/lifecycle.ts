// The vessel state machine (Seattle's statuses; docs/ARCHITECTURE.md, 'Vessel lifecycle') on top of one sandbox
// host process:
//   Fresh/Stopped/Terminated/ThreadErr/Stale --StartVessel--> Started --StopVessel--> Stopped
//   Started --program ends--> Terminated | ThreadErr (| Stopped)      any --ResetVessel--> Fresh
// The status is stored before the program starts, so a node killed at any moment restarts the vessels that were
// Started; one whose program is gone by then becomes Stale. When the node shuts down cleanly, running vessels keep
// the status Started for the same reason. If the sandbox host dies, its vessels become Terminated with the reason.
// The sandbox host runs only while programs do: the first start (or a restart with the node) starts it, and it stops
// once no program has run for hostIdleMs, so a node with nothing running costs only the node manager's process.
import { mkdirSync } from 'node:fs'
import { FRONT_ENDS_MODULE } from '../front-ends.js'
import { NodeError } from '../protocol/errors.js'
import type { VesselStatus } from '../protocol/results.js'
import type { Outcome } from '../runtime/api/types.js'
import type { BoardSnapshot } from '../runtime/nanny/usage-board.js'
import { SandboxHost, type ExpectedVessel, type SandboxProcessIdentity } from '../runtime/sandbox.js'
import { capReason, capUtf8 } from './answer-bounds.js'
import { SILENT_LOG, type Logger } from '../log/logger.js'
import { errorChain } from './node-log.js'
import { vesselLogPrefix } from './node-paths.js'
import type { NodeState } from './node-state.js'
import type { VesselFiles } from './vessel-files.js'
import { VesselLog } from './vessel-log.js'
import type { VesselRecord } from './vessel-store.js'

/** How long StopVessel waits for the program to end. */
export const STOP_WAIT_MS = 10_000
/** Exit code recorded when the sandbox host itself died (as in `flotilla run`). */
export const HOST_CRASH_CODE = 70
/** How long the sandbox host stays up with no program running, for the next start to find it warm. */
export const HOST_IDLE_MS = 60_000

interface Run {
  id: string
  startedAt: number
  ended: Promise<void>
  end(): void
}

export interface LifecycleOptions {
  ip: string
  logBytes: number
  /** the node's log: starts, ends and restarts of programs, sandbox host crashes */
  log?: Logger
  /** the user the sandbox host runs as, if not the node manager's */
  identity?: SandboxProcessIdentity
  /** false: the sandbox host skips its engine warm-up (SandboxOptions.warmUp) */
  engineWarmUp?: boolean
  /** how long the sandbox host stays up once no program runs (HOST_IDLE_MS) */
  hostIdleMs?: number
}

/** Ends whose reason is not news: finished, stopped by a request, exitall(). */
const QUIET_EXIT_CODES = new Set([0, 44, 200])

export class Lifecycle {
  private host: SandboxHost | null = null
  private hostStarting: Promise<SandboxHost> | null = null
  private readonly runs = new Map<string, Run>()
  private readonly logs = new Map<string, VesselLog>()
  private closing = false
  private generation = 0
  /** stops the sandbox host once no program has run for hostIdleMs */
  private idleTimer: NodeJS.Timeout | null = null
  /** What a (re)started sandbox host's spare thread makes its engine for (SandboxOptions.expected). */
  private expected: ExpectedVessel | undefined

  private readonly nodeLog: Logger

  private constructor(
    private readonly state: NodeState,
    private readonly files: VesselFiles,
    private readonly options: LifecycleOptions,
  ) {
    this.nodeLog = options.log ?? SILENT_LOG
  }

  /** Restarts every vessel recorded as Started (starting the sandbox host if there is one). */
  static async open(state: NodeState, files: VesselFiles, options: LifecycleOptions): Promise<Lifecycle> {
    mkdirSync(state.paths.logs, { recursive: true })
    const lifecycle = new Lifecycle(state, files, options)
    const memoryQuota = commonestMemoryQuota(await state.store.list())
    if (memoryQuota !== undefined) lifecycle.expected = { memoryQuota }
    await state.exclusive(async () => {
      for (const v of await state.store.list()) if (v.status === 'Started') await lifecycle.resume(v)
    })
    return lifecycle
  }

  log(vessel: string): VesselLog {
    let log = this.logs.get(vessel)
    if (log === undefined)
      this.logs.set(vessel, (log = new VesselLog(vesselLogPrefix(this.state.paths, vessel), this.options.logBytes)))
    return log
  }

  isRunning(vessel: string): boolean {
    return this.runs.has(vessel)
  }

  async usage(vessel: string): Promise<BoardSnapshot | null> {
    const run = this.runs.get(vessel)
    return run && this.host ? this.host.usage(run.id) : null
  }

  /** StartVessel: E_STATE if it runs already, E_NOT_FOUND if the program is not a file of the vessel. */
  start(vessel: string, program: string, args: string[]): Promise<VesselStatus> {
    return this.state.exclusiveVessel(vessel, async () => {
      const record = await this.state.vessel(vessel)
      if (record.status === 'Started') throw new NodeError('E_STATE', `${vessel} is already Started; stop it first`)
      if (!this.files.exists(vessel, program)) {
        throw new NodeError('E_NOT_FOUND', `no program file '${program}' in ${vessel} (upload it with AddFileToVessel)`)
      }
      await this.sandbox()
      const { exit: _exit, ...rest } = record
      const next: VesselRecord = { ...rest, status: 'Started', program, args, startedAt: Date.now() }
      await this.state.store.apply([{ type: 'putVessel', vessel: next }])
      await this.launch(next)
      return 'Started' as const
    })
  }

  /** StopVessel: E_STATE unless Started; waits for the program to end and answers the status it ended with. */
  async stop(vessel: string): Promise<VesselStatus> {
    const run = await this.state.exclusiveVessel(vessel, async () => {
      const record = await this.state.vessel(vessel)
      if (record.status !== 'Started') throw new NodeError('E_STATE', `${vessel} is ${record.status}, not Started`)
      const run = this.runs.get(vessel)
      if (run === undefined) {
        await this.record(record, { status: 'Stopped', code: 44, reason: 'stopped' })
        return undefined
      }
      this.host?.stopVessel(run.id, 'stopped by StopVessel')
      return run
    })
    if (run !== undefined && !(await settlesWithin(run.ended, STOP_WAIT_MS))) {
      throw new NodeError('E_TIMEOUT', `${vessel} may not have stopped in a timely manner (${STOP_WAIT_MS / 1000} s)`)
    }
    return (await this.state.vessel(vessel)).status
  }

  /** ResetVessel: stops the program, deletes the files (except private_*) and the log; status Fresh. */
  async reset(vessel: string): Promise<void> {
    const record = await this.state.vessel(vessel)
    if (record.status === 'Started')
      await this.stop(vessel).catch((err: unknown) => {
        if (!(err instanceof NodeError && err.code === 'E_STATE')) throw err
      })
    await this.state.exclusiveVessel(vessel, async () => {
      const current = await this.state.vessel(vessel)
      if (this.runs.has(vessel)) throw new NodeError('E_STATE', `${vessel} was started again while being reset`)
      await this.files.clear(vessel)
      this.log(vessel).clear()
      const { exit: _e, program: _p, args: _a, startedAt: _s, ...rest } = current
      await this.state.store.apply([{ type: 'putVessel', vessel: { ...rest, status: 'Fresh' } }])
    })
  }

  /** The vessel is gone (split or joined away): drop its log and directory. Call inside an exclusive section. */
  async forget(vessel: string): Promise<void> {
    this.log(vessel).clear()
    this.logs.delete(vessel)
    await this.files.destroy(vessel)
  }

  /** Stops every program and the sandbox host; running vessels stay Started so that the next start restarts them. */
  async close(): Promise<void> {
    this.closing = true
    this.cancelIdleStop()
    await this.hostStarting?.catch(() => undefined)
    await this.host?.shutdown()
    for (const run of this.runs.values()) run.end()
    this.runs.clear()
    for (const log of this.logs.values()) log.close()
  }

  private async resume(v: VesselRecord): Promise<void> {
    if (v.program !== undefined && this.files.exists(v.name, v.program)) {
      await this.launch(v, 'restarted with the node')
    } else {
      const reason = `could not restart: program '${v.program ?? '?'}' is missing`
      this.nodeLog.warn(`${v.name} is Stale: ${reason}`, { vessel: v.name, status: 'Stale', reason })
      await this.state.store.apply([
        {
          type: 'putVessel',
          vessel: {
            ...v,
            status: 'Stale',
            exit: { code: HOST_CRASH_CODE, reason, at: Date.now() },
          },
        },
      ])
    }
  }

  private async launch(v: VesselRecord, why?: string): Promise<void> {
    const host = await this.sandbox()
    this.expected = { memoryQuota: v.restrictions.limits.memory, program: v.program }
    this.log(v.name).write(startMark(v, why))
    const id = `${v.name}#${++this.generation}`
    let end!: () => void
    const ended = new Promise<void>((r) => {
      end = r
    })
    this.runs.set(v.name, { id, startedAt: v.startedAt ?? Date.now(), ended, end })
    // No mkdir here: both callers found the program file in the vessel's directory, which the node's start
    // (VesselFiles.reconcile) or the upload made the sandbox user's; one more trip to the thread pool was on every
    // start's way to the sandbox host.
    const command = capUtf8([v.program ?? '?', ...(v.args ?? [])].join(' '), 200)
    this.nodeLog.info(`${v.name} ${why ?? 'started'}: ${command}`, {
      vessel: v.name,
      event: why === undefined ? 'started' : 'restarted',
      command,
    })
    host.startVessel({
      vesselId: id,
      cwd: this.files.dir(v.name),
      program: v.program ?? '',
      callargs: v.args ?? [],
      ip: this.options.ip,
      restrictions: v.restrictions,
    })
  }

  private async record(v: VesselRecord, outcome: Outcome): Promise<void> {
    const next: VesselRecord = {
      ...v,
      status: outcome.status,
      exit: { code: outcome.code, reason: capReason(outcome.reason), at: Date.now() },
    }
    await this.state.store.apply([{ type: 'putVessel', vessel: next }])
  }

  private onExit(id: string, outcome: Outcome): void {
    const name = id.split('#')[0] ?? ''
    const run = this.runs.get(name)
    if (run === undefined || run.id !== id) return
    this.runs.delete(name)
    if (this.runs.size === 0) this.stopHostWhenIdle()
    if (this.closing) return run.end()
    const reason = capUtf8(outcome.reason.trimEnd().split('\n').at(-1) ?? '', 200)
    this.nodeLog.info(`${name} ended: ${outcome.status}, exit code ${outcome.code}${reason ? ` (${reason})` : ''}`, {
      vessel: name,
      event: 'ended',
      status: outcome.status,
      code: outcome.code,
      reason,
    })
    // Repy's node manager logs the program's stderr: a traceback or why it was ended goes where the owner reads.
    if (!QUIET_EXIT_CODES.has(outcome.code))
      this.log(name).write(outcome.reason.endsWith('\n') ? outcome.reason : `${outcome.reason}\n`)
    void this.state
      .exclusiveVessel(name, async () => {
        // the program wrote files too: count its directory again on the next upload
        this.files.forgetDiskUse(name)
        const v = await this.state.store.get(name)
        if (v?.status === 'Started' && !this.runs.has(name)) await this.record(v, outcome)
      })
      .catch((err: unknown) =>
        this.nodeLog.error(`could not record the exit of ${name}: ${String(err)}`, {
          vessel: name,
          detail: errorChain(err),
        }),
      )
      .finally(() => run.end())
  }

  private onCrash(reason: string): void {
    this.host = null
    if (this.closing) return
    const crashed = [...this.runs.entries()]
    this.nodeLog.error(`${reason}; marking its vessels Terminated (the next start starts a new host)`, {
      event: 'host crashed',
      vessels: crashed.map(([name]) => name),
    })
    this.runs.clear()
    for (const [name] of crashed) this.files.forgetDiskUse(name)
    void this.state
      .exclusive(async () => {
        for (const [name] of crashed) {
          const v = await this.state.store.get(name)
          if (v?.status === 'Started') await this.record(v, { status: 'Terminated', code: HOST_CRASH_CODE, reason })
        }
      })
      .catch(() => undefined)
      .finally(() => {
        for (const [, run] of crashed) run.end()
      })
  }

  /** Stops the sandbox host if it is still without a program after hostIdleMs. */
  private stopHostWhenIdle(): void {
    this.cancelIdleStop()
    if (this.closing) return
    const idleMs = this.options.hostIdleMs ?? HOST_IDLE_MS
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      const host = this.host
      if (host === null || this.runs.size > 0 || this.hostStarting !== null || this.closing) return
      this.host = null
      this.nodeLog.debug(`sandbox host stopped: no program has run for ${idleMs / 1000} s`, { event: 'host idle' })
      void host.shutdown()
    }, idleMs)
    this.idleTimer.unref()
  }

  private cancelIdleStop(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }

  /** The sandbox host, started (again) if needed. */
  private sandbox(): Promise<SandboxHost> {
    if (this.host?.running) return Promise.resolve(this.host)
    if (this.closing) return Promise.reject(new NodeError('E_BUSY', 'the node is shutting down'))
    this.hostStarting ??= SandboxHost.start(
      this.state.paths.files,
      {
        output: (id, text) => this.log(id.split('#')[0] ?? '').write(text),
        exit: (id, outcome) => this.onExit(id, outcome),
        crash: (reason) => this.onCrash(reason),
        warmedUp: (ms, error) =>
          error === undefined
            ? this.nodeLog.debug(`sandbox host: engine warmed up in ${ms} ms`, { ms })
            : this.nodeLog.warn(`sandbox host: the engine warm-up failed (vessels run, slower at first): ${error}`),
      },
      {
        identity: this.options.identity,
        frontEnds: FRONT_ENDS_MODULE,
        longLived: true,
        expected: this.expected,
        warmUp: this.options.engineWarmUp,
      },
    )
      .then((host) => {
        this.host = host
        // a start that fails after this (its store write, say) runs nothing: the host must not stay for it
        this.stopHostWhenIdle()
        return host
      })
      .finally(() => {
        this.hostStarting = null
      })
    return this.hostStarting
  }
}

/** The memory quota most of the vessels have (a node's vessels are mostly split alike); undefined for none. */
function commonestMemoryQuota(vessels: VesselRecord[]): number | undefined {
  const counts = new Map<number, number>()
  for (const v of vessels) {
    const quota = v.restrictions.limits.memory
    counts.set(quota, (counts.get(quota) ?? 0) + 1)
  }
  let commonest: number | undefined
  for (const [quota, n] of counts) if (commonest === undefined || n > counts.get(commonest)!) commonest = quota
  return commonest
}

/** The line that opens each run in the vessel's log, so that runs one after another can be told apart. */
function startMark(v: VesselRecord, why?: string): string {
  const at = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
  const command = [v.program ?? '?', ...(v.args ?? [])].join(' ').slice(0, 200)
  return `--- ${at}: ${command}${why ? ` (${why})` : ''} ---\n`
}

function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    void p.then(() => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}
