// The trusted side's handle on a sandbox host process: starts it under Node's permission model (read: the
// runtime's code and the vessels' root; write: the vessels' root only; workers allowed; no child processes, no
// addons) with an environment of allocator settings only, and relays vessel output and exits. Used by the node
// manager and the tests' runGuest (`flotilla run` runs its vessel in its own process: local-run.ts).
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join, resolve } from 'node:path'
import type { Outcome } from './api/types.js'
import type { BoardSnapshot } from './nanny/usage-board.js'
import type { HostEvent, HostRequest, HostUsage, VesselSpec } from './sandbox-messages.js'
import { TIMER_SLACK_FILE } from './timer-slack.js'

/** The project root: this file is src/runtime/sandbox.ts or dist/runtime/sandbox.js. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HOST_ENTRY = join(PROJECT_ROOT, 'dist', 'runtime', 'sandbox-host.js')

export interface SandboxListeners {
  output?(vesselId: string, text: string): void
  exit?(vesselId: string, outcome: Outcome): void
  /** The sandbox host process itself died; every vessel in it has ended. */
  crash?(reason: string): void
  /** A long-lived host finished warming the engine up (engine-warm-up.ts); `error` if the warm-up failed. */
  warmedUp?(ms: number, error?: string): void
}

/** Who the sandbox host process runs as; absent: the same user as its parent. */
export interface SandboxProcessIdentity {
  uid?: number
  gid?: number
}

export interface SandboxOptions {
  identity?: SandboxProcessIdentity
  /** The registry module of program front ends (front-end.ts), as a path inside the built tree (dist/); without
   *  it, every program runs as JavaScript or TypeScript. */
  frontEnds?: string
  /** A node's host, which starts vessels over a long time: it keeps a worker thread booted for each next vessel, so
   *  that a start skips Node's boot of a thread. Otherwise (one program: the tests' runGuest) only the first
   *  vessel's thread is booted ahead, while the host itself gets ready. */
  longLived?: boolean
  /** What the first vessel is expected to be: the host's spare thread makes its guest engine with the memory cap of
   *  that quota, and loads that program's language runtime, before the vessel is known (vessel-threads.ts). */
  expected?: ExpectedVessel
  /** A long-lived host warms the engine up at start (engine-warm-up.ts), unless this is false: about a second of a
   *  core spent so that the first vessels run on optimized code. */
  warmUp?: boolean
}

export interface ExpectedVessel {
  memoryQuota: number
  program?: string
}

/** The only /proc files the sandbox host reads: thread-cpu.ts's per-thread sources. Node 20 checks a path as
 *  written, without following symlinks, so granting these two files exactly grants nothing under /proc/self,
 *  /proc/thread-self/root or /proc/<pid>/root (which would reach the whole file system). */
export const PROC_READ_GRANTS = ['/proc/thread-self/schedstat', '/proc/thread-self/stat']

/** The host's whole environment (a vessel's worker gets none). glibc's allocator raises its mmap threshold as large
 *  blocks are freed, and then keeps freed memory in each thread's arena: 10 sleeping vessels stopped left the host
 *  holding 36 MB of private memory, 26 MB with the thresholds pinned at glibc's own defaults (8 MB idle). The mmap
 *  threshold is 32 KiB rather than glibc's 128 KiB: V8's compilers (QuickJS's WebAssembly tiered up, the engine
 *  warm-up) take their working memory in blocks of 32-64 KiB from the arenas of V8's background threads, and freed,
 *  those stayed there: an idle node's host held 20.5-21 MB of anonymous memory a minute after its start, 11 MB with
 *  the lower threshold (three runs each); blocks that size are mapped and unmapped whole instead. */
const HOST_ENV = { MALLOC_MMAP_THRESHOLD_: '32768', MALLOC_TRIM_THRESHOLD_: '131072' }

export function permissionFlags(vesselsRoot: string): string[] {
  const read = [
    join(PROJECT_ROOT, 'dist'),
    join(PROJECT_ROOT, 'node_modules'),
    join(PROJECT_ROOT, 'package.json'),
    vesselsRoot,
    ...PROC_READ_GRANTS,
  ]
  return [
    '--experimental-permission',
    ...read.map((p) => `--allow-fs-read=${p}`),
    `--allow-fs-write=${vesselsRoot}`,
    // its own timer slack, written once at start (timer-slack.ts); Node checks the path as written
    `--allow-fs-write=${TIMER_SLACK_FILE}`,
    '--allow-worker',
    '--no-warnings',
  ]
}

export class SandboxHost {
  private nextRequest = 1
  /** Answers awaited from the host, by request id; each resolves null if the host dies first. */
  private readonly waiters = new Map<number, (answer: BoardSnapshot | HostUsage | null) => void>()
  private alive = true
  private shuttingDown = false

  private constructor(
    private readonly child: ChildProcess,
    private readonly listeners: SandboxListeners,
    /** Absolute path of the front-end registry, given to every vessel. */
    private readonly frontEnds: string | undefined,
  ) {
    child.on('message', (e: HostEvent) => this.onEvent(e))
    child.on('exit', (code, signal) => {
      this.alive = false
      for (const w of this.waiters.values()) w(null)
      this.waiters.clear()
      // asked to shut down, the host ends itself with SIGKILL (sandbox-host.ts): not a crash
      if (!this.shuttingDown)
        listeners.crash?.(
          signal ? `the sandbox host was killed by ${signal}` : `the sandbox host exited with code ${code}`,
        )
    })
  }

  /** Starts a sandbox host whose vessels all live under `vesselsRoot`. */
  static start(vesselsRoot: string, listeners: SandboxListeners, options: SandboxOptions = {}): Promise<SandboxHost> {
    const root = resolve(vesselsRoot)
    const frontEnds = options.frontEnds === undefined ? undefined : join(PROJECT_ROOT, 'dist', options.frontEnds)
    const args = [
      ...(options.longLived ? ['--keep-spare'] : []),
      ...(frontEnds ? [`--front-ends=${frontEnds}`] : []),
      ...(options.expected ? [`--memory-quota=${options.expected.memoryQuota}`] : []),
      ...(options.expected?.program === undefined ? [] : [`--program=${options.expected.program}`]),
      ...(options.longLived && options.warmUp !== false ? ['--warm-up'] : []),
    ]
    const child = fork(HOST_ENTRY, args, {
      execArgv: permissionFlags(root),
      env: HOST_ENV,
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Its own process group: a terminal's Ctrl-C goes to the node, which stops the host itself.
      detached: true,
      ...options.identity,
    })
    return new Promise((resolveHost, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the sandbox host did not start (exit code ${code})`))
      child.once('exit', onExit)
      child.once('message', (e: HostEvent) => {
        child.off('exit', onExit)
        if (e.type === 'ready') resolveHost(new SandboxHost(child, listeners, frontEnds))
        else reject(new Error(`the sandbox host said ${e.type} before ready`))
      })
    })
  }

  get running(): boolean {
    return this.alive
  }

  /** The sandbox host's process id (for measurements from /proc). */
  get pid(): number | undefined {
    return this.child.pid
  }

  startVessel(spec: Omit<VesselSpec, 'frontEnds'>): void {
    this.send({ type: 'start', spec: { ...spec, frontEnds: this.frontEnds } })
  }

  stopVessel(vesselId: string, reason?: string): void {
    this.send({ type: 'stop', vesselId, reason })
  }

  /** The vessel's live usage, read from its worker's shared board; null if it is not running. */
  usage(vesselId: string): Promise<BoardSnapshot | null> {
    return this.ask<BoardSnapshot>((requestId) => ({ type: 'usage', vesselId, requestId }))
  }

  /** What the host itself holds and spends for the vessel (buffers, cpu charged); null if it is not running. */
  hostUsage(vesselId: string): Promise<HostUsage | null> {
    return this.ask<HostUsage>((requestId) => ({ type: 'host-usage', vesselId, requestId }))
  }

  /** Sends a request that the host answers with the same request id. */
  private ask<T extends BoardSnapshot | HostUsage>(request: (requestId: number) => HostRequest): Promise<T | null> {
    if (!this.alive) return Promise.resolve(null)
    const requestId = this.nextRequest++
    return new Promise((resolveAnswer) => {
      this.waiters.set(requestId, resolveAnswer as (answer: BoardSnapshot | HostUsage | null) => void)
      this.send(request(requestId))
    })
  }

  /** Stops every vessel and the process (also when the process is already on its way out). A host that has not
   *  reported its vessels stopped and exited within `graceMs` is killed, and their exits go unreported. */
  async shutdown(graceMs = 2000): Promise<void> {
    if (!this.alive) return
    const exited = new Promise((r) => this.child.once('exit', r))
    this.shuttingDown = true
    this.send({ type: 'shutdown' })
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }

  private send(req: HostRequest): void {
    // A host that is dying closes its channel before its exit is seen; what it misses no longer matters, and the
    // callback keeps the write error (EPIPE, channel closed) from being thrown as an 'error' event.
    if (this.alive && this.child.connected)
      this.child.send(req, (err) => {
        if (err) this.child.kill('SIGKILL')
      })
  }

  private onEvent(e: HostEvent): void {
    switch (e.type) {
      case 'output':
        return this.listeners.output?.(e.vesselId, e.text)
      case 'exit':
        return this.listeners.exit?.(e.vesselId, e.outcome)
      case 'warmed-up':
        return this.listeners.warmedUp?.(e.ms, e.error)
      case 'usage':
      case 'host-usage': {
        const waiter = this.waiters.get(e.requestId)
        this.waiters.delete(e.requestId)
        return waiter?.(e.usage)
      }
    }
  }
}
