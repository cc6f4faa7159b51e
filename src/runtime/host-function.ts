// The one host function the guest calls for every API operation, called through a thin path of our own. Through
// quickjs-emscripten's generic one (context.newFunction) every call made a handle and a copy per argument, a Scope and
// a generator (its maybe-async plumbing), and asked each argument's typeof as a C string: 13-33 µs per call where
// bare QuickJS needs a few. Here the function is still made by newFunction, but its calls are taken at the module's
// entry from C, before that path: the arguments are read in place (kinds from their tags, guest-typeof.ts), and
// handles are made only for what needs one (strings). When the package's internals are not as expected
// (quickjs-internals.ts) or the probe of value tags fails, calls stay on the generic path, with the same results.
import {
  WeakLifetime,
  type JSValue,
  type JSValueConst,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
} from 'quickjs-emscripten'
import { GuestTypes, PROBE_SOURCE, VALUE_BYTES, type GuestKind } from './guest-typeof.js'
import { OwnedValue, quickJSInternals, type QuickJSInternals } from './quickjs-internals.js'
import type { GuestBytes } from './guest-value.js'

type JSValueConstPointer = JSValueConst['value']
type JSValuePointer = JSValue['value']

/** One call's arguments, read where they are: valid only during the call. */
export interface GuestArgs {
  readonly count: number
  kind(i: number): GuestKind
  /** For an argument of kind 'number'. */
  number(i: number): number
  /** For an argument of kind 'boolean'. */
  boolean(i: number): boolean
  /** For an argument of kind 'string'. */
  stringLength(i: number): number
  /** For an argument of kind 'string': its characters read straight from QuickJS's memory if it is a narrow string;
   *  null otherwise (a wide string, or QuickJS's layout not confirmed). */
  latin1(i: number): string | null
  /** The same characters lent where they are, for the call only (GuestBytes); null where latin1 is. */
  latin1Bytes(i: number): GuestBytes | null
  /** A handle on the argument that the call does not own: valid during the call, disposing it does nothing. */
  handle(i: number): QuickJSHandle
}

/** What a call gives the guest: a number, undefined, a handle it gives up, or an error (a handle it gives up) to
 *  throw. */
export type HostAnswer = number | undefined | QuickJSHandle | { error: QuickJSHandle }

export type HostBody = (args: GuestArgs) => HostAnswer

/** The kinds of guest values the host holds handles on, read as the host function reads its arguments'. */
export interface ValueKinds {
  kindOf(h: QuickJSHandle): GuestKind
  /** typeof 'object' (not null) or 'function'. */
  isObject(h: QuickJSHandle): boolean
}

export interface HostFunction extends ValueKinds {
  /** The guest function; the caller owns it. */
  handle: QuickJSHandle
}

/** The kinds the slow way, through QuickJS's typeof. */
export function slowKinds(ctx: QuickJSContext): ValueKinds {
  const kindOf = (h: QuickJSHandle): GuestKind => {
    const kind = ctx.typeof(h)
    return kind === 'object' && ctx.sameValue(h, ctx.null) ? 'null' : kind
  }
  return {
    kindOf,
    isObject: (h) => {
      const kind = kindOf(h)
      return kind === 'object' || kind === 'function'
    },
  }
}

/** A guest function that runs `body`. */
export function newHostFunction(ctx: QuickJSContext, name: string, body: HostBody): HostFunction {
  const generic = (...handles: QuickJSHandle[]) => {
    const answer = body(new HandleArgs(ctx, handles))
    return typeof answer === 'number' ? ctx.newNumber(answer) : answer
  }
  const fn = ctx.newFunction(name, generic)
  const slow = slowKinds(ctx)
  const q = quickJSInternals(ctx)
  if (q === null) return { handle: fn, ...slow }
  const types = new GuestTypes(q)
  let ownId: number | undefined
  let learning = true
  let learnt = false
  // Taken at the module's own entry from C, before the package's lookup of the context (this engine's module has
  // this one context); calls of any other function go on to the package's.
  const original = q.callbacks.callFunction
  q.callbacks.callFunction = (asyncify, c, thisPtr, argc, argv, fnId) => {
    if (fnId !== ownId || c !== q.ctxPtr) {
      if (c !== q.ctxPtr || ownId !== undefined || q.functionOf(fnId) !== generic)
        return original(asyncify, c, thisPtr, argc, argv, fnId)
      ownId = fnId
    }
    if (learning) {
      learnt = types.learn(argc, argv)
      return 0
    }
    if (!learnt) return original(asyncify, c, thisPtr, argc, argv, fnId)
    // As the package's entry does: nothing may unwind through QuickJS's C frames. An exception out of the body
    // reaches the guest as an error; if even that cannot be made (out of memory), the call answers undefined.
    try {
      return fromAnswer(q, body(new PointerArgs(ctx, types, argc, argv)))
    } catch (err) {
      try {
        return fromAnswer(q, { error: ctx.newError(err instanceof Error ? err.message : String(err)) })
      } catch {
        return 0
      }
    }
  }
  const probe = ctx.unwrapResult(ctx.evalCode(PROBE_SOURCE, 'flotilla:probe', { type: 'global', strict: true }))
  const r = ctx.callFunction(probe, ctx.undefined, fn)
  probe.dispose()
  learning = false
  if (r.error) {
    r.error.dispose()
    learnt = false
  } else r.value.dispose()
  if (!learnt) return { handle: fn, ...slow }
  return {
    handle: fn,
    kindOf: (h) => types.kindOf(h.value),
    isObject: (h) => types.isObjectAt(h.value),
  }
}

/** The JSValue* C takes (and frees) for an answer; 0 is undefined. */
function fromAnswer(q: QuickJSInternals, answer: HostAnswer): number {
  const { ffi, ctxPtr } = q
  if (answer === undefined) return 0
  if (typeof answer === 'number') return ffi.QTS_NewFloat64(ctxPtr, answer)
  if ('error' in answer) {
    const thrown = ffi.QTS_Throw(ctxPtr, answer.error.value)
    answer.error.dispose()
    return thrown
  }
  if (answer instanceof OwnedValue) return answer.handOver()
  // Any other handle is copied (a static one such as true must not be freed by C).
  const copy = ffi.QTS_DupValuePointer(ctxPtr, answer.value)
  answer.dispose()
  return copy
}

/** A string's length property. */
function lengthOf(ctx: QuickJSContext, h: QuickJSHandle): number {
  return ctx.getProp(h, 'length').consume((l) => ctx.getNumber(l))
}

class PointerArgs implements GuestArgs {
  constructor(
    private readonly ctx: QuickJSContext,
    private readonly types: GuestTypes,
    readonly count: number,
    private readonly argv: number,
  ) {}

  /** learn() checked that argv is an array of VALUE_BYTES-byte values. */
  private ptr(i: number): number {
    return this.argv + i * VALUE_BYTES
  }

  kind(i: number): GuestKind {
    return this.types.kindOf(this.ptr(i))
  }

  number(i: number): number {
    return this.types.numberAt(this.ptr(i))
  }

  boolean(i: number): boolean {
    return this.types.booleanAt(this.ptr(i))
  }

  stringLength(i: number): number {
    return this.types.stringLengthAt(this.ptr(i)) ?? lengthOf(this.ctx, this.handle(i))
  }

  latin1(i: number): string | null {
    return this.types.latin1StringAt(this.ptr(i))
  }

  latin1Bytes(i: number): GuestBytes | null {
    return this.types.latin1BytesAt(this.ptr(i))
  }

  handle(i: number): QuickJSHandle {
    return new WeakLifetime<JSValueConstPointer, JSValuePointer, QuickJSRuntime>(this.ptr(i) as JSValueConstPointer)
  }
}

class HandleArgs implements GuestArgs {
  readonly count: number

  constructor(
    private readonly ctx: QuickJSContext,
    private readonly handles: QuickJSHandle[],
  ) {
    this.count = handles.length
  }

  kind(i: number): GuestKind {
    return slowKinds(this.ctx).kindOf(this.handles[i]!)
  }

  number(i: number): number {
    return this.ctx.getNumber(this.handles[i]!)
  }

  boolean(i: number): boolean {
    return this.ctx.dump(this.handles[i]!) === true
  }

  stringLength(i: number): number {
    return lengthOf(this.ctx, this.handles[i]!)
  }

  latin1(): null {
    return null
  }

  latin1Bytes(): null {
    return null
  }

  handle(i: number): QuickJSHandle {
    return this.handles[i]!
  }
}
