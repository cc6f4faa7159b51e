// The parts of quickjs-emscripten's context that the public API wraps in per-call objects (handles, scopes,
// generators) and that the host-call path (host-function.ts) uses directly. They are not part of the package's
// typed API, so they are looked up once and checked; null when this version of the package lays them out otherwise,
// and the caller then keeps to the public API.
import type { QuickJSContext } from 'quickjs-emscripten'

export interface QuickJSFfi {
  QTS_ArgvGetJSValueConstPointer(argv: number, index: number): number
  QTS_Typeof(ctx: number, value: number): number
  QTS_GetFloat64(ctx: number, value: number): number
  QTS_NewFloat64(ctx: number, n: number): number
  QTS_DupValuePointer(ctx: number, value: number): number
  QTS_Throw(ctx: number, error: number): number
}

export interface QuickJSModuleMemory {
  /** The module's memory; a new view after the memory grew. */
  HEAPU8: Uint8Array
  UTF8ToString(ptr: number): string
  _free(ptr: number): void
}

/** C calls a host function as callFunction(ctx, this, argc, argv, host ref id) and takes the JSValue* it returns
 *  (0 for undefined); the caller owns that pointer from then on. */
export type CallFunction = (ctx: number, thisPtr: number, argc: number, argv: number, fnId: number) => number

export interface QuickJSInternals {
  ctxPtr: number
  ffi: QuickJSFfi
  module: QuickJSModuleMemory
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
]

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

export function quickJSInternals(ctx: QuickJSContext): QuickJSInternals | null {
  const c: unknown = ctx
  if (!isObject(c)) return null
  const { ffi, module, cToHostCallbacks, ctx: lifetime, getFunction } = c
  if (!isObject(ffi) || !FFI_NAMES.every((name) => typeof ffi[name] === 'function')) return null
  if (!isObject(module) || !(module.HEAPU8 instanceof Uint8Array)) return null
  if (typeof module._free !== 'function' || typeof module.UTF8ToString !== 'function') return null
  if (!isObject(cToHostCallbacks) || typeof cToHostCallbacks.callFunction !== 'function') return null
  if (!isObject(lifetime) || typeof lifetime.value !== 'number' || typeof getFunction !== 'function') return null
  return {
    ctxPtr: lifetime.value,
    ffi: ffi as unknown as QuickJSFfi,
    module: module as unknown as QuickJSModuleMemory,
    callbacks: cToHostCallbacks as { callFunction: CallFunction },
    functionOf: (fnId) => {
      try {
        return (getFunction as (id: number) => unknown).call(ctx, fnId)
      } catch {
        return undefined
      }
    },
  }
}
