// Calls of guest functions through QuickJS's C function (guest-calls.ts): the arguments arrive in order, the result
// or the thrown value comes back, and a call with more arguments than the slots hold takes the package's path.
import { newQuickJSWASMModule, type QuickJSContext } from 'quickjs-emscripten'
import { beforeAll, describe, expect, it } from 'vitest'
import { GuestCalls } from '../../src/runtime/guest-calls.js'
import { quickJSInternals } from '../../src/runtime/quickjs-internals.js'

let ctx: QuickJSContext
let calls: GuestCalls
beforeAll(async () => {
  ctx = (await newQuickJSWASMModule()).newContext()
  calls = new GuestCalls(ctx, quickJSInternals(ctx))
})

describe('guest calls', () => {
  it('pass the arguments in order and return what the function returns', () => {
    const fn = ctx.unwrapResult(
      ctx.evalCode(
        `'use strict'; (function () { return (this === undefined ? 'this undefined ' : '') + Array.prototype.join.call(arguments, '|') })`,
      ),
    )
    for (const n of [0, 1, 4, 6]) {
      const args = Array.from({ length: n }, (_, i) => ctx.newString(`a${i}`))
      const r = calls.call(fn, ...args)
      expect(r.error).toBeUndefined()
      expect(ctx.getString(r.value!)).toBe('this undefined ' + args.map((_, i) => `a${i}`).join('|'))
      r.value!.dispose()
      for (const a of args) a.dispose()
    }
    fn.dispose()
  })

  it('return what the function throws as the error', () => {
    const fn = ctx.unwrapResult(ctx.evalCode('(m) => { throw new RangeError(m) }'))
    const r = ctx.newString('too far').consume((m) => calls.call(fn, m))
    expect(r.value).toBeUndefined()
    expect(ctx.dump(r.error!)).toMatchObject({ name: 'RangeError', message: 'too far' })
    r.error!.dispose()
    fn.dispose()
  })

  it('leave nothing behind: 5 GB of results pass through a 4 GB memory', () => {
    const fn = ctx.unwrapResult(ctx.evalCode('(s) => s + s'))
    const s = ctx.newString('x'.repeat(10_000))
    for (let i = 0; i < 250_000; i++) calls.call(fn, s).value!.dispose()
    s.dispose()
    fn.dispose()
  })
})
