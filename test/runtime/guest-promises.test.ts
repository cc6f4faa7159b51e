// Guest promises and jobs through QuickJS's C functions (guest-promises.ts): a promise settles once, with the value
// or error given, and the guest's awaiting code runs, in order, when the jobs run.
import { newQuickJSWASMModule, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten'
import { beforeEach, describe, expect, it } from 'vitest'
import { GuestPromises } from '../../src/runtime/guest-promises.js'
import { newHostFunction } from '../../src/runtime/host-function.js'
import { GuestCalls } from '../../src/runtime/guest-calls.js'
import { quickJSInternals } from '../../src/runtime/quickjs-internals.js'

let rt: QuickJSRuntime
let ctx: QuickJSContext
let promises: GuestPromises
beforeEach(async () => {
  rt = (await newQuickJSWASMModule()).newRuntime()
  ctx = rt.newContext()
  const host = newHostFunction(ctx, 'host', () => undefined)
  host.handle.dispose()
  promises = new GuestPromises(ctx, rt, host, new GuestCalls(ctx, quickJSInternals(ctx)))
})

/** Has the guest await `promise` and record what it got in globalThis.got. */
function awaitInGuest(promise: ReturnType<GuestPromises['deferred']>['handle']): void {
  const fn = ctx.unwrapResult(
    ctx.evalCode(
      `(p) => { globalThis.got = 'nothing yet'; p.then((v) => { globalThis.got = 'value ' + v }, (e) => { globalThis.got = 'error ' + e }) }`,
    ),
  )
  ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, promise)).dispose()
  fn.dispose()
}
const got = () => ctx.getProp(ctx.global, 'got').consume((h) => ctx.getString(h))

describe('guest promises', () => {
  it("go through QuickJS's C functions with this package", () => expect(promises.direct).toBe(true))

  it('a promise resolves once, with the first value, when the jobs run', () => {
    const d = promises.deferred()
    awaitInGuest(d.handle)
    expect(promises.isPending(d.handle)).toBe(true)
    ctx.newNumber(7).consume((v) => d.resolve(v))
    ctx.newNumber(8).consume((v) => d.resolve(v))
    ctx.newString('late').consume((e) => d.reject(e))
    expect(promises.isPending(d.handle)).toBe(false)
    expect(got()).toBe('nothing yet')
    expect(promises.runJobs(Infinity)).toBeNull()
    expect(got()).toBe('value 7')
    d.handle.dispose()
  })

  it('a promise rejects with the error given', () => {
    const d = promises.deferred()
    awaitInGuest(d.handle)
    ctx.newString('no').consume((e) => d.reject(e))
    expect(promises.runJobs(Infinity)).toBeNull()
    expect(got()).toBe('error no')
    d.handle.dispose()
  })

  it('runs no job when none is queued, and many settled promises run their jobs in order', () => {
    expect(promises.runJobs(Infinity)).toBeNull()
    const log = ctx.unwrapResult(ctx.evalCode('globalThis.order = []; (p, i) => p.then(() => order.push(i))'))
    const all = Array.from({ length: 1000 }, (_, i) => {
      const d = promises.deferred()
      ctx.newNumber(i).consume((n) => ctx.unwrapResult(ctx.callFunction(log, ctx.undefined, d.handle, n)).dispose())
      return d
    })
    for (const d of all) ctx.undefined.consume((u) => d.resolve(u))
    expect(promises.runJobs(Infinity)).toBeNull()
    const order = ctx.unwrapResult(ctx.evalCode('order.join()')).consume((h) => ctx.getString(h))
    expect(order).toBe(Array.from({ length: 1000 }, (_, i) => i).join())
    for (const d of all) d.handle.dispose()
    log.dispose()
  })

  it("stops after its time budget when the program's own promises never empty the queue, and runs on when asked", () => {
    ctx.unwrapResult(ctx.evalCode('globalThis.turns = 0; (async () => { for (;;) { turns++; await 0 } })()')).dispose()
    const turns = () => ctx.getProp(ctx.global, 'turns').consume((h) => ctx.getNumber(h))
    expect(promises.runJobs(1)).toBeNull()
    expect(promises.hasJobs()).toBe(true)
    const first = turns()
    expect(first).toBeGreaterThan(1)
    expect(promises.runJobs(1)).toBeNull()
    expect(turns()).toBeGreaterThan(first)
    expect(promises.hasJobs()).toBe(true)
  })

  it('an interrupted job ends, and the promise it would have settled is rejected with the interrupt', () => {
    const d = promises.deferred()
    ctx
      .unwrapResult(
        ctx.evalCode(
          '(p) => { globalThis.got = "running"; p.then(() => { for (;;) {} }).catch((e) => { globalThis.got = String(e) }) }',
        ),
      )
      .consume((fn) => {
        ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, d.handle)).dispose()
      })
    ctx.undefined.consume((u) => d.resolve(u))
    let interrupts = 0
    rt.setInterruptHandler(() => ++interrupts === 3)
    expect(promises.runJobs(Infinity)).toBeNull()
    expect(got()).toBe('InternalError: interrupted')
    d.handle.dispose()
  })
})
