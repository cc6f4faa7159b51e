// Repy threads on one QuickJS thread. Each Repy thread is a generator (compiled Python is generator code); the
// scheduler runs the ready ones round-robin. Compiled code yields 0 at loop back-edges and function entries once
// its budget is spent (preemption); API wrappers yield a Promise when the call blocks (sleep, a held lock, connect),
// and the thread waits for it while the others run.
import type { CompiledCodeRuntime } from './contract.js'

/** Back-edges or calls between two looks at the clock. */
export const SLICE = 1_000
/** How long a thread runs before the others (and the host's event loop, if a thread waits on it) get a turn. */
const SLICE_MS = 2
const now = Date.now

export interface ThreadHost {
  /** Tells the host which Repy thread now runs (thread names, per-thread errors, attribution of async results). */
  enter(id: number): void
  /** The thread's code returned: release its `events` item. Not called for the main thread. */
  end(id: number): void
  /** The thread raised: report and end the program (never returns normally). */
  fail(id: number, exc: unknown): void
  /** A promise that resolves on the host's next turn of its event loop, so its timers and sockets run. */
  tick(): Promise<unknown>
  /** The main program's code returned. */
  mainDone(): void
}

interface Thread {
  id: number
  gen: Generator<unknown, unknown, unknown>
  /** What the thread is resumed with: the settled value of what it waited for. */
  resume: { value: unknown } | { error: unknown }
  /** The exception it is handling (getlasterror, bare raise). */
  handled: unknown
}

export class Scheduler {
  private readonly ready: Thread[] = []
  private waiting = 0
  private running = false
  private current: Thread | null = null
  /** Threads waiting for the host's next turn (see yieldToHost). */
  private readonly parked: Thread[] = []
  /** The running thread has started another one and gives way at its next preemption point (see spawn). */
  private handOff = false

  constructor(
    private readonly rt: CompiledCodeRuntime,
    private readonly host: ThreadHost,
    private readonly handled: { get(): unknown; set(exc: unknown): void },
  ) {}

  /** Starts a thread running `gen`. Called by a running thread (createthread), the new thread gets the next turn:
   *  the creator gives way at its next loop back-edge or function entry, as a Repy thread's start() waits for the
   *  thread to be running. Libraries rely on it: seattlelib's socket listeners start a thread per message whose
   *  closure reads the listener's variables, which the listener's next call would change. */
  spawn(id: number, gen: Generator<unknown, unknown, unknown>): void {
    this.ready.push({ id, gen, resume: { value: undefined }, handled: null })
    if (this.running) {
      this.handOff = true
      this.rt.budget = 0
    }
    this.run()
  }

  /** The exception the current thread is handling, for getlasterror, which then forgets it. */
  takeHandled(): unknown {
    const exc = this.handled.get()
    this.handled.set(null)
    return exc
  }

  private run(): void {
    if (this.running) return
    this.running = true
    try {
      for (;;) {
        const t = this.ready.shift()
        if (!t) return
        this.step(t)
      }
    } finally {
      this.running = false
    }
  }

  /** Runs one thread until it is preempted, blocks or ends. */
  private step(t: Thread): void {
    if (this.current !== t) {
      this.current = t
      this.host.enter(t.id)
    }
    this.handled.set(t.handled)
    this.rt.budget = SLICE
    this.handOff = false
    const started = now()
    let r: IteratorResult<unknown, unknown>
    for (;;) {
      try {
        const resume = t.resume
        t.resume = { value: undefined }
        r = 'error' in resume ? t.gen.throw(resume.error) : t.gen.next(resume.value)
      } catch (exc) {
        t.handled = this.handled.get()
        this.host.fail(t.id, exc)
        return
      }
      if (r.done) {
        if (t.id === 0) this.host.mainDone()
        else this.host.end(t.id)
        return
      }
      if (r.value === 0) {
        this.rt.budget = SLICE
        if (this.handOff) {
          this.handOff = false
          if (this.ready.length > 0) {
            this.requeue(t)
            return
          }
        }
        if (now() - started < SLICE_MS) continue
        // Others are ready: give them a turn. Others are waiting on the host (a timer, a socket): let the host's
        // event loop run first, or a busy thread would starve them.
        if (this.waiting > 0) {
          this.yieldToHost(t)
          return
        }
        if (this.ready.length > 0) {
          this.requeue(t)
          return
        }
        continue
      }
      if (r.value instanceof Promise) {
        this.wait(t, r.value)
        return
      }
      t.resume = { error: new Error('internal: a thread yielded something that is not a promise') }
    }
  }

  private requeue(t: Thread): void {
    t.handled = this.handled.get()
    this.ready.push(t)
  }

  private wait(t: Thread, p: Promise<unknown>): void {
    t.handled = this.handled.get()
    this.waiting++
    p.then(
      (value) => {
        this.waiting--
        t.resume = { value }
        this.ready.push(t)
        this.run()
      },
      (error) => {
        this.waiting--
        t.resume = { error }
        this.ready.push(t)
        this.run()
      },
    )
  }

  /** The thread runs again once the host has had a turn of its event loop; one turn serves every parked thread. */
  private yieldToHost(t: Thread): void {
    t.handled = this.handled.get()
    this.parked.push(t)
    if (this.parked.length > 1) return
    this.waiting++
    // tick only resolves (the host's next turn); the parked threads run from its callback
    void this.host.tick().then(() => {
      this.waiting--
      this.ready.push(...this.parked.splice(0))
      this.run()
    })
  }
}
