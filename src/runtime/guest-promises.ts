// Guest promises and the guest's job queue, through QuickJS's C functions directly. Every awaitable host call (a
// sleep, a recv that waits) makes a guest promise, settles it and runs the jobs that follow; through the package's
// generic API each of these allocated and freed a pointer array in the module's memory, wrapped every pointer in a
// handle, asked a value's typeof as a C string and made a Scope: tens of microseconds per await. Here the pointer
// slots are allocated once per context. When the package's internals are not as expected (quickjs-internals.ts),
// the public API is used, with the same results.
import { performance } from 'node:perf_hooks'
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten'
import { ownedHandle, quickJSInternals, type QuickJSInternals } from './quickjs-internals.js'
import type { ValueKinds } from './host-function.js'
import { GuestCalls } from './guest-calls.js'

/** A guest promise and how to settle it (once; later calls do nothing). */
export interface GuestDeferred {
  readonly handle: QuickJSHandle
  resolve(value: QuickJSHandle): void
  reject(error: QuickJSHandle): void
}

const PENDING = 0 // JSPromiseStateEnum.Pending
/** Jobs run per call into QuickJS, between two looks at the clock (runJobs). */
const JOB_SLICE = 64

export class GuestPromises {
  private readonly q: QuickJSInternals | null
  /** Two pointer slots: a promise's resolve and reject functions, or a job's context. */
  private readonly slots: number = 0
  /** The slots as words; made again once the module's memory grew (that detaches the old buffer: length 0). */
  private slotView: Int32Array | null = null

  constructor(
    private readonly ctx: QuickJSContext,
    private readonly rt: QuickJSRuntime,
    private readonly kinds: ValueKinds,
    private readonly calls: GuestCalls,
  ) {
    const q = quickJSInternals(ctx)
    this.slots = q ? q.module._malloc(8) : 0
    this.q = this.slots === 0 ? null : q
  }

  /** Whether the C functions are used (else the package's public API). */
  get direct(): boolean {
    return this.q !== null
  }

  /** A new pending guest promise. */
  deferred(): GuestDeferred {
    const q = this.q
    if (!q) return this.ctx.newPromise()
    const promise = ownedHandle(q, q.ffi.QTS_NewPromiseCapability(q.ctxPtr, this.slots))
    const words = this.words(q)
    let resolvers: [number, number] | null = [words[0]!, words[1]!]
    const settle = (which: 0 | 1, value: QuickJSHandle): void => {
      if (!resolvers) return
      const fn = resolvers[which]
      const [resolve, reject] = resolvers
      resolvers = null
      // A resolve function returns undefined; it throws only when out of memory, and then nothing can be done here.
      const r = this.calls.callAt(fn, [value])
      r?.value?.dispose()
      r?.error?.dispose()
      q.ffi.QTS_FreeValuePointer(q.ctxPtr, resolve)
      q.ffi.QTS_FreeValuePointer(q.ctxPtr, reject)
    }
    return { handle: promise, resolve: (v) => settle(0, v), reject: (e) => settle(1, e) }
  }

  private words(q: QuickJSInternals): Int32Array {
    if (this.slotView === null || this.slotView.length === 0)
      this.slotView = new Int32Array(q.module.HEAPU8.buffer, this.slots, 2)
    return this.slotView
  }

  /** Whether `promise` (a promise) is still pending. */
  isPending(promise: QuickJSHandle): boolean {
    if (!this.q) return this.ctx.getPromiseState(promise).type === 'pending'
    return this.q.ffi.QTS_PromiseState(this.q.ctxPtr, promise.value) === PENDING
  }

  /** Runs queued jobs for about `budgetMs` at most (checking the clock between slices of JOB_SLICE jobs); returns the
   *  exception that stopped them (the caller owns it), or null. Jobs may be left (hasJobs): a chain of the program's
   *  own promises never empties the queue, and the caller gives the event loop a turn before it runs the rest. */
  runJobs(budgetMs: number): QuickJSHandle | null {
    const until = performance.now() + budgetMs
    const q = this.q
    if (!q) {
      do {
        const r = this.rt.executePendingJobs(JOB_SLICE)
        if (r.error) return r.error
      } while (this.rt.hasPendingJob() && performance.now() < until)
      return null
    }
    do {
      if (!q.ffi.QTS_IsJobPending(q.rtPtr)) return null
      this.words(q)[0] = 0
      const result = q.ffi.QTS_ExecutePendingJob(q.rtPtr, JOB_SLICE, this.slots)
      const jobContext = this.words(q)[0]
      const handle = ownedHandle(q, result)
      if (jobContext !== 0 && this.kinds.kindOf(handle) !== 'number') return handle
      q.ffi.QTS_FreeValuePointerRuntime(q.rtPtr, result)
    } while (performance.now() < until)
    return null
  }

  /** Whether the guest has jobs queued. */
  hasJobs(): boolean {
    return this.q ? Boolean(this.q.ffi.QTS_IsJobPending(this.q.rtPtr)) : this.rt.hasPendingJob()
  }
}
