// The boundary between QuickJS and the host: one hidden host function dispatches numbered operations, copies
// arguments out of the guest and results back in, and turns host errors into the guest's Repy exception classes.
// Promises returned by host operations resolve in the guest on the thread that made the call.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten'
import { RepyError } from './errors.js'
import { BYTES_ARG_BY_ID, OP_NAMES, type OpName } from './guest/ops.js'
import { PRELUDE_SOURCE } from './guest/prelude.js'
import { GuestBytes, NotCopied, OutBytes, type GuestValue, type Op, type OpTable, type Threads } from './api/types.js'
import { takenNow } from './guest-value.js'
import { MAX_REASON_CHARS } from './cap-text.js'
import { GuestStrings, SHORT_STRING } from './guest-strings.js'
import { newHostFunction, type GuestArgs, type HostAnswer } from './host-function.js'
import { GuestPromises, type GuestDeferred } from './guest-promises.js'
import { GuestCalls } from './guest-calls.js'
import { quickJSInternals } from './quickjs-internals.js'
import { Later, laterPromise } from './later.js'

/** More arguments than any operation takes (openconnection and sendmessage take five); beyond it, arguments are
 *  counted but not copied, so the operation's own count check refuses the call. */
const MAX_COPIED_ARGS = 8
/** The most characters the strings of one call may hold together. */
export const MAX_CALL_CHARS = 64 << 20
/** Copying more characters than this in one call is followed by a checkpoint, so the cpu governor charges it. */
const CHECKPOINT_CHARS = 64 << 10

export interface BridgeHooks {
  /** A host operation threw something that is not a RepyError: a bug on our side, fatal to the program. */
  onInternalError(op: string, err: unknown): void
  /** Called after host work that may have queued guest jobs. */
  afterSettle(): void
  isEnded(): boolean
  /** Checked before every operation: false ends the call (the program is being ended). */
  mayProceed(): boolean
  /** An operation's call begins (before mayProceed) and ends. */
  callBegins(): void
  callEnds(): void
  /** Seconds the operation's result must be held back (a rate quota's wait the nanny deferred); 0 for none. */
  deferredWait(): number
}

/** A guest exception raised while marshalling a value (its handle is thrown into the guest as the call's error). */
class GuestThrow extends Error {
  constructor(readonly handle: QuickJSHandle) {
    super('guest exception while marshalling')
  }
}

/** Exception names and messages up to this long are kept as guest strings, at most this many at a time. */
const MAX_KEPT_ERROR_CHARS = 200
const MAX_KEPT_ERROR_STRINGS = 64

export class Bridge {
  /** The vessel's operations, by number; empty until bind (no guest code runs before it). */
  private ops: Array<Op | undefined> = []
  private threads!: Threads
  private hooks!: BridgeHooks
  private makeErrorFn!: QuickJSHandle
  private describeFn!: QuickJSHandle
  private unitsFn!: QuickJSHandle
  private fromUnitsFn!: QuickJSHandle
  private defineFn!: QuickJSHandle
  private isArrayFn!: QuickJSHandle
  /** Made by install, with the host function's reading of value kinds. */
  private strings!: GuestStrings
  private promises!: GuestPromises
  private calls!: GuestCalls
  private readonly errorStrings = new Map<string, QuickJSHandle>()

  constructor(
    private readonly ctx: QuickJSContext,
    private readonly rt: QuickJSRuntime,
  ) {}

  /** Installs the host function and runs the prelude, which takes it. The host function stays reachable on the
   *  global object until bind: no guest code runs in between (a spare thread's engine waits here, guest-engine.ts). */
  install(): void {
    const { ctx } = this
    const host = newHostFunction(ctx, 'host', (args) => this.call(args))
    host.handle.consume((fn) => ctx.setProp(ctx.global, '__flotilla_host', fn))
    this.strings = new GuestStrings(ctx, host)
    this.calls = new GuestCalls(ctx, quickJSInternals(ctx))
    this.promises = new GuestPromises(ctx, this.rt, host, this.calls)
    const exported = ctx.unwrapResult(
      ctx.evalCode(PRELUDE_SOURCE, 'flotilla:prelude', { type: 'global', strict: true }),
    )
    this.makeErrorFn = ctx.getProp(exported, 'makeError')
    this.describeFn = ctx.getProp(exported, 'describe')
    this.unitsFn = ctx.getProp(exported, 'units')
    this.fromUnitsFn = ctx.getProp(exported, 'fromUnits')
    this.defineFn = ctx.getProp(exported, 'define')
    this.isArrayFn = ctx.getProp(exported, 'isArray')
    exported.dispose()
  }

  /** Runs a language's runtime script (the Python runtime, for .r2py programs), which may take the host function
   *  too; before bind. It calls no operation while it is evaluated. */
  runRuntimeScript(source: string): void {
    const { ctx } = this
    ctx.unwrapResult(ctx.evalCode(source, 'flotilla:repy', { type: 'global', strict: true })).dispose()
  }

  /** Binds the vessel's operations, then runs `runtimeScript` if the engine did not run it ahead; then hides the
   *  host function. Once only. */
  bind(table: Partial<OpTable>, threads: Threads, hooks: BridgeHooks, runtimeScript?: string): void {
    const { ctx } = this
    this.ops = OP_NAMES.map((name) => table[name])
    this.threads = threads
    this.hooks = hooks
    if (runtimeScript !== undefined) this.runRuntimeScript(runtimeScript)
    ctx
      .unwrapResult(ctx.evalCode('delete globalThis.__flotilla_host', 'flotilla:prelude', { type: 'global' }))
      .dispose()
  }

  /** Defines a read-only global holding a copy of `value`. */
  defineGlobal(name: string, value: GuestValue, frozen: boolean): void {
    const json = JSON.stringify(JSON.stringify(value))
    const code = `Object.defineProperty(globalThis, ${JSON.stringify(name)}, { value: ${frozen ? 'Object.freeze' : ''}(JSON.parse(${json})), writable: false, configurable: false, enumerable: false })`
    this.ctx.unwrapResult(this.ctx.evalCode(code, 'flotilla:globals', { type: 'global' })).dispose()
  }

  /** A one-line-plus-stack description of a guest value that was thrown. */
  describe(errorHandle: QuickJSHandle): string {
    const r = this.ctx.callFunction(this.describeFn, this.ctx.undefined, errorHandle)
    if (r.error) {
      r.error.dispose()
      return 'an error that could not be described'
    }
    return r.value.consume((h) => {
      if (this.ctx.typeof(h) !== 'string') return 'an error'
      // The prelude bounds its descriptions; this is the backstop should one ever be longer.
      const length = this.ctx.getProp(h, 'length').consume((l) => this.ctx.getNumber(l))
      return length <= MAX_REASON_CHARS ? this.ctx.getString(h) : 'an error whose description is too long'
    })
  }

  private call(args: GuestArgs): HostAnswer {
    const opId = args.count > 0 && args.kind(0) === 'number' ? args.number(0) : -1
    const op = this.ops[opId]
    const name: OpName | 'unknown' = OP_NAMES[opId] ?? 'unknown'
    if (!op) return { error: this.guestError(new RepyError('RepyArgumentError', `no such operation`)) }
    const bytesAt = BYTES_ARG_BY_ID[opId]! // op exists
    let values: GuestValue[] | null = null
    this.hooks.callBegins()
    try {
      if (!this.hooks.mayProceed()) return undefined
      values = this.argsFromGuest(name, args, bytesAt)
      if (values === null) return undefined
      let result = op(values)
      const wait = this.hooks.deferredWait()
      if (wait > 0) result = after(wait, result instanceof Later ? laterPromise(result) : takenNow(result))
      if (typeof result === 'number') return result
      if (result instanceof Promise) return this.promiseToGuest(result, name)
      if (result instanceof Later) return this.laterToGuest(result, name)
      return result instanceof OutBytes ? this.bytesToGuest(result) : this.toGuest(result)
    } catch (err) {
      if (err instanceof RepyError) return { error: this.guestError(err) }
      if (err instanceof GuestThrow) return { error: err.handle }
      this.hooks.onInternalError(name, err)
      return undefined
    } finally {
      const lent = values?.[bytesAt]
      if (lent instanceof GuestBytes) lent.end()
      this.hooks.callEnds()
    }
  }

  private guestError(err: RepyError): QuickJSHandle {
    this.threads.lastError.set(this.threads.current, `${err.repyName}: ${err.message}`)
    if (this.errorStrings.size > MAX_KEPT_ERROR_STRINGS - 2) {
      // Made room for before either string is taken: a handle taken for this call must not be freed by the next.
      for (const old of this.errorStrings.values()) old.dispose()
      this.errorStrings.clear()
    }
    const kept = err.message.length <= MAX_KEPT_ERROR_CHARS
    const messageH = kept ? this.keptString(err.message) : this.newString(err.message)
    const r = this.calls.call(this.makeErrorFn, this.keptString(err.repyName), messageH)
    if (!kept) messageH.dispose()
    return r.error ? r.error : r.value
  }

  /** A guest string for an exception's name or short message, made once and kept: a polling program meets the same
   *  few (SocketWouldBlockError and its message) at almost every call, and guest strings cannot change. */
  private keptString(s: string): QuickJSHandle {
    let h = this.errorStrings.get(s)
    if (h) return h
    h = this.newString(s)
    this.errorStrings.set(s, h)
    return h
  }

  private promiseToGuest(promise: Promise<GuestValue>, name: string): QuickJSHandle {
    const later = new Later<GuestValue>()
    promise.then(
      (value) => later.resolve(value),
      (err: unknown) => later.reject(err),
    )
    return this.laterToGuest(later, name)
  }

  /** A guest promise settled as `later` is (which happens outside the guest's calls, Later's contract). */
  private laterToGuest(later: Later<GuestValue | OutBytes>, name: string): QuickJSHandle {
    const deferred = this.promises.deferred()
    const thread = this.threads.current
    later.whenSettled((ok, value) => {
      try {
        if (ok) this.resolveInGuest(deferred, thread, value as GuestValue | OutBytes, name)
        else this.rejectInGuest(deferred, thread, value, name)
      } finally {
        this.hooks.afterSettle()
      }
    })
    return deferred.handle
  }

  private resolveInGuest(deferred: GuestDeferred, thread: number, value: GuestValue | OutBytes, name: string): void {
    if (this.hooks.isEnded()) return
    this.threads.current = thread
    let h: QuickJSHandle
    try {
      h = value instanceof OutBytes ? this.bytesToGuest(value) : this.toGuest(value)
    } catch (err) {
      if (!(err instanceof GuestThrow)) return this.hooks.onInternalError(name, err)
      deferred.reject(err.handle)
      return err.handle.dispose()
    }
    deferred.resolve(h)
    h.dispose()
  }

  private rejectInGuest(deferred: GuestDeferred, thread: number, err: unknown, name: string): void {
    if (this.hooks.isEnded()) return
    this.threads.current = thread
    if (!(err instanceof RepyError)) return this.hooks.onInternalError(name, err)
    const h = this.guestError(err)
    deferred.reject(h)
    h.dispose()
  }

  /** The call's arguments, checked for kind and size before anything is copied: only strings, numbers, booleans,
   *  null and undefined are copied (no operation takes more), and the strings of one call are bounded together.
   *  Null when the program must end (the checkpoint after a large copy said so). */
  private argsFromGuest(name: string, args: GuestArgs, bytesAt: number): GuestValue[] | null {
    const count = args.count - 1 // the first is the operation
    const copied = Math.min(count, MAX_COPIED_ARGS)
    let chars = 0
    for (let i = 1; i <= copied; i++) if (args.kind(i) === 'string') chars += args.stringLength(i)
    if (chars > MAX_CALL_CHARS) {
      const fn = name.replace(/^.*\./, '') // file.writeat -> writeat, as the program calls it
      throw new RepyError(
        'RepyArgumentError',
        `${fn}: the arguments hold ${chars} characters; one call takes at most ${MAX_CALL_CHARS}`,
      )
    }
    const values = new Array<GuestValue>(count)
    for (let i = 0; i < count; i++)
      values[i] = i < copied ? this.fromGuest(args, i + 1, i === bytesAt) : new NotCopied(args.kind(i + 1))
    if (chars > CHECKPOINT_CHARS && !this.hooks.mayProceed()) return null
    return values
  }

  /** Argument `i`. With `asBytes`, a narrow string is lent as GuestBytes. */
  private fromGuest(args: GuestArgs, i: number, asBytes: boolean): GuestValue {
    const kind = args.kind(i)
    switch (kind) {
      case 'string':
        return (
          (asBytes && args.latin1Bytes(i)) || (args.latin1(i) ?? this.getString(args.handle(i), args.stringLength(i)))
        )
      case 'number':
        return args.number(i)
      case 'undefined':
        return undefined
      case 'boolean':
        return args.boolean(i)
      case 'null':
        return null
      case 'object':
        return new NotCopied(this.isArray(args.handle(i)) ? 'array' : 'object')
      default:
        return new NotCopied(kind)
    }
  }

  private isArray(h: QuickJSHandle): boolean {
    const { ctx } = this
    const r = this.calls.call(this.isArrayFn, h)
    if (r.error) {
      r.error.dispose()
      return false
    } // a revoked proxy
    return r.value.consume((v) => ctx.dump(v) === true)
  }

  toGuest(value: GuestValue): QuickJSHandle {
    const { ctx } = this
    if (typeof value === 'string') return this.newString(value)
    if (typeof value === 'number') return ctx.newNumber(value)
    if (typeof value === 'boolean') return value ? ctx.true : ctx.false
    if (value === undefined) return ctx.undefined
    if (value === null) return ctx.null
    if (Array.isArray(value)) {
      const arr = ctx.newArray()
      value.forEach((v, i) => this.toGuest(v).consume((h) => this.defineValue(arr, String(i), h)))
      return arr
    }
    if (value instanceof NotCopied || value instanceof GuestBytes)
      throw new Error('a value that was not copied cannot go back to the guest')
    const obj = ctx.newObject()
    for (const [k, v] of Object.entries(value)) this.toGuest(v).consume((h) => this.defineValue(obj, k, h))
    return obj
  }

  /** Defines (not sets) a property: a setter the program put on Array.prototype or Object.prototype is not run. */
  private defineValue(target: QuickJSHandle, key: string, value: QuickJSHandle): void {
    const { ctx } = this
    const r = ctx.newString(key).consume((k) => this.calls.call(this.defineFn, target, k, value))
    if (r.error) throw new GuestThrow(r.error)
    r.value.dispose()
  }

  /** A guest string from a host string. quickjs-emscripten passes strings as C strings, which end at the first NUL
   *  and are converted slowly, so a long string or one holding NUL (byte data often does) goes over in QuickJS's
   *  binary format (guest-strings.ts), or where that cannot be used, as UTF-16 code units in an ArrayBuffer. */
  private newString(s: string): QuickJSHandle {
    const { ctx } = this
    if (s.length < SHORT_STRING && !s.includes('\0')) return ctx.newString(s)
    if (this.strings.enabled) return this.strings.toGuest(s) ?? outOfMemory(ctx)
    const u16 = new Uint16Array(s.length)
    for (let i = 0; i < s.length; i++) u16[i] = s.charCodeAt(i)
    const r = ctx.newArrayBuffer(u16.buffer).consume((buf) => ctx.callFunction(this.fromUnitsFn, ctx.undefined, buf))
    if (r.error) throw new GuestThrow(r.error) // e.g. out of memory: the guest sees it as the call's error
    return r.value
  }

  /** A guest string of the bytes an operation answered with (which are taken once it is made). */
  private bytesToGuest(out: OutBytes): QuickJSHandle {
    if (out.length >= SHORT_STRING && this.strings.enabled)
      return this.strings.bytesToGuest(out) ?? outOfMemory(this.ctx)
    const h = this.newString(out.peek())
    out.take()
    return h
  }

  /** A host string from a guest string of `length` characters; as for newString, a string whose C-string copy came
   *  back short holds NUL. */
  private getString(h: QuickJSHandle, length: number): string {
    const { ctx } = this
    const long = this.strings.enabled && length >= SHORT_STRING ? this.strings.fromGuest(h) : null
    if (long !== null) return long
    const s = ctx.getString(h)
    if (s.length === length) return s
    const withNul = this.strings.enabled ? this.strings.fromGuest(h) : null
    if (withNul !== null) return withNul
    const r = ctx.callFunction(this.unitsFn, ctx.undefined, h)
    if (r.error) throw new GuestThrow(r.error)
    return r.value.consume((buf) =>
      ctx.getArrayBuffer(buf).consume((view) => {
        const u16 = new Uint16Array(view.value.slice().buffer)
        let out = ''
        for (let i = 0; i < u16.length; i += 8192) out += String.fromCharCode(...u16.subarray(i, i + 8192))
        return out
      }),
    )
  }

  /** Runs the guest's queued jobs for about `budgetMs` at most (guest-promises.ts); returns the description of an
   *  uncatchable error (interrupt), if one stopped them. */
  runJobs(budgetMs: number): string | null {
    const error = this.promises.runJobs(budgetMs)
    if (!error) return null
    const description = this.describe(error)
    error.dispose()
    return description
  }

  /** Whether the guest has jobs queued (runJobs left some). */
  hasJobs(): boolean {
    return this.promises.hasJobs()
  }

  /** Whether the guest promise `h` is still pending (read without calling the guest's then). */
  isPending(h: QuickJSHandle): boolean {
    return this.promises.isPending(h)
  }
}

/** What the guest gets when a string for it could not be made. */
function outOfMemory(ctx: QuickJSContext): never {
  throw new GuestThrow(ctx.newError({ name: 'InternalError', message: 'out of memory' }))
}

/** `value` (or what it resolves to) after `seconds`. */
function after(seconds: number, value: GuestValue | Promise<GuestValue>): Promise<GuestValue> {
  return new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(seconds * 1000))).then(() => value)
}
