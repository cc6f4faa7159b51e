// The parts of quickjs-emscripten's context that the public API wraps in per-call objects (handles, scopes,
// generators, a malloc per argument list) and that the hot paths use directly: the host call (host-function.ts),
// long strings (guest-strings.ts), promises and jobs (guest-promises.ts). They are not part of the package's
// typed API, so they are looked up once and checked; null when this version of the package lays them out otherwise,
// and the caller then keeps to the public API.
import { Lifetime, type JSValue, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten'

type JSValuePointer = JSValue['value']

export interface QuickJSFfi {
  QTS_ArgvGetJSValueConstPointer(argv: number, index: number): number
  QTS_Typeof(ctx: number, value: number): number
  QTS_GetFloat64(ctx: number, value: number): number
  QTS_NewFloat64(ctx: number, n: number): number
  QTS_DupValuePointer(ctx: number, value: number): number
  QTS_Throw(ctx: number, error: number): number
  QTS_FreeValuePointer(ctx: number, value: number): void
  /** Takes `buffer` (malloc'd in the module's memory): freed with the ArrayBuffer. */
  QTS_NewArrayBuffer(ctx: number, buffer: number, length: number): number
  QTS_bjson_decode(ctx: number, arrayBuffer: number): number
  /** A new promise; its resolve and reject functions' JSValue* are written to `resolvers` (two pointers). */
  QTS_NewPromiseCapability(ctx: number, resolvers: number): number
  QTS_PromiseState(ctx: number, promise: number): number
  QTS_Call(ctx: number, fn: number, thisValue: number, argc: number, argv: number): number
  /** The exception a call's result stands for (a JSValue* the caller owns), or 0 when it is not one. */
  QTS_ResolveException(ctx: number, value: number): number
  QTS_IsJobPending(rt: number): number
  /** Runs up to `max` jobs (-1: all); the context of the last one is written to `lastContext`. The result is the
   *  count of jobs run, or the exception that stopped them. */
  QTS_ExecutePendingJob(rt: number, max: number, lastContext: number): number
  QTS_FreeValuePointerRuntime(rt: number, value: number): void
}

export interface QuickJSModuleMemory {
  /** The module's memory; a new view after the memory grew. */
  HEAPU8: Uint8Array
  UTF8ToString(ptr: number): string
  _malloc(bytes: number): number
  _free(ptr: number): void
}

/** C calls a host function through the module's callFunction(asyncify, ctx, this, argc, argv, host ref id) and takes
 *  the JSValue* it returns (0 for undefined); the caller owns that pointer from then on. The package's own finds the
 *  context's callbacks in a Map and calls them in a closure made for the call. */
export type CallFunction = (
  asyncify: unknown,
  ctx: number,
  thisPtr: number,
  argc: number,
  argv: number,
  fnId: number,
) => number

export interface QuickJSInternals {
  ctxPtr: number
  rtPtr: number
  ffi: QuickJSFfi
  module: QuickJSModuleMemory
  /** The module's callbacks from C (one module per engine here). */
  callbacks: { callFunction: CallFunction }
  /** The host function registered under a host ref id. */
  functionOf(fnId: number): unknown
}

const FFI_NAMES: Array<keyof QuickJSFfi> = [
  'QTS_ArgvGetJSValueConstPointer',
  'QTS_Typeof',
  'QTS_GetFloat64',
  'QTS_NewFloat64',
  'QTS_DupValuePointer',
  'QTS_Throw',
  'QTS_FreeValuePointer',
  'QTS_NewArrayBuffer',
  'QTS_bjson_decode',
  'QTS_NewPromiseCapability',
  'QTS_PromiseState',
  'QTS_Call',
  'QTS_ResolveException',
  'QTS_IsJobPending',
  'QTS_ExecutePendingJob',
  'QTS_FreeValuePointerRuntime',
]

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

export function quickJSInternals(ctx: QuickJSContext): QuickJSInternals | null {
  const c: unknown = ctx
  if (!isObject(c)) return null
  const { ffi, module, ctx: lifetime, rt, getFunction } = c
  if (!isObject(ffi) || !FFI_NAMES.every((name) => typeof ffi[name] === 'function')) return null
  if (!isObject(module) || !(module.HEAPU8 instanceof Uint8Array)) return null
  if (typeof module._free !== 'function' || typeof module._malloc !== 'function') return null
  if (typeof module.UTF8ToString !== 'function') return null
  if (!isObject(module.callbacks) || typeof module.callbacks.callFunction !== 'function') return null
  if (!isObject(lifetime) || typeof lifetime.value !== 'number' || typeof getFunction !== 'function') return null
  if (!isObject(rt) || typeof rt.value !== 'number') return null
  return {
    ctxPtr: lifetime.value,
    rtPtr: rt.value,
    ffi: ffi as unknown as QuickJSFfi,
    module: module as unknown as QuickJSModuleMemory,
    callbacks: module.callbacks as { callFunction: CallFunction },
    functionOf: (fnId) => {
      try {
        return (getFunction as (id: number) => unknown).call(ctx, fnId)
      } catch {
        return undefined
      }
    },
  }
}

/** A handle that owns the JSValue* `ptr` (freed when it is disposed), as the package's own handles do. */
export class OwnedValue extends Lifetime<JSValuePointer, JSValuePointer, QuickJSRuntime> {
  constructor(
    private readonly q: QuickJSInternals,
    ptr: number,
  ) {
    super(ptr as JSValuePointer)
  }

  override dispose(): void {
    this.q.ffi.QTS_FreeValuePointer(this.q.ctxPtr, this.value)
    super.dispose()
  }

  /** The JSValue* itself, for C to take and free (a host function's answer): the handle is dead afterwards. A copy
   *  made for C, and this one freed, was a malloc and two frees more on every call that answered with a string. */
  handOver(): number {
    const ptr = this.value
    super.dispose()
    return ptr
  }
}

export const ownedHandle = (q: QuickJSInternals, ptr: number): OwnedValue => new OwnedValue(q, ptr)
