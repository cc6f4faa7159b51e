// Calls of guest functions from the host through QuickJS's C function directly. The package's callFunction
// allocates and frees a pointer array in the module's memory and wraps the result in new handles on every call;
// the prelude's makeError runs on every exception a guest gets (a polling Repy program meets SocketWouldBlockError
// at almost every call), and a promise's resolve function on every await. Here the argument slots are allocated
// once per context. Without the package's internals (quickjs-internals.ts), the public API is used.
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten'
import { ownedHandle, type QuickJSInternals } from './quickjs-internals.js'

/** The most arguments a call takes here. */
const MAX_ARGS = 4

export type GuestCallResult = { value: QuickJSHandle; error?: undefined } | { value?: undefined; error: QuickJSHandle }

export class GuestCalls {
  private readonly argv: number

  constructor(
    private readonly ctx: QuickJSContext,
    private readonly q: QuickJSInternals | null,
  ) {
    this.argv = q ? q.module._malloc(4 * MAX_ARGS) : 0
  }

  /** `fn(...args)`, with `this` undefined: what it returned, or what it threw (the caller owns either). */
  call(fn: QuickJSHandle, ...args: QuickJSHandle[]): GuestCallResult {
    return this.callAt(fn.value, args) ?? this.ctx.callFunction(fn, this.ctx.undefined, ...args)
  }

  /** The same for a function given by its JSValue*; null when QuickJS's C function cannot be called directly. */
  callAt(fn: number, args: QuickJSHandle[]): GuestCallResult | null {
    const q = this.q
    if (!q || this.argv === 0 || args.length > MAX_ARGS) return null
    const slots = new Int32Array(q.module.HEAPU8.buffer, this.argv, MAX_ARGS)
    for (let i = 0; i < args.length; i++) slots[i] = args[i]!.value
    const result = q.ffi.QTS_Call(q.ctxPtr, fn, this.ctx.undefined.value, args.length, this.argv)
    const error = q.ffi.QTS_ResolveException(q.ctxPtr, result)
    if (error) {
      q.ffi.QTS_FreeValuePointer(q.ctxPtr, result)
      return { error: ownedHandle(q, error) }
    }
    return { value: ownedHandle(q, result) }
  }
}
