// The host-call path (host-function.ts): every kind of argument reads as QuickJS's own API reads it, and every kind of
// answer reaches the guest as it would through quickjs-emscripten's newFunction, on the fast path (tags learnt) and
// with the guest's values of every kind, including those whose tags are not learnt (floats, objects, functions).
import { newQuickJSWASMModule, type QuickJSContext } from 'quickjs-emscripten'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  newHostFunction,
  slowKinds,
  type GuestArgs,
  type HostBody,
  type ValueKinds,
} from '../../src/runtime/host-function.js'
import { ownedHandle, quickJSInternals, type OwnedValue } from '../../src/runtime/quickjs-internals.js'

let ctx: QuickJSContext
let kinds: ValueKinds
let body: HostBody = () => undefined
beforeAll(async () => {
  ctx = (await newQuickJSWASMModule()).newContext()
  const host = newHostFunction(ctx, 'f', (args) => body(args))
  host.handle.consume((fn) => ctx.setProp(ctx.global, 'f', fn))
  kinds = host
})

const evalGuest = (code: string): unknown => ctx.unwrapResult(ctx.evalCode(code)).consume((h): unknown => ctx.dump(h))

interface Read {
  kind: string
  value?: unknown
}
const read = (args: GuestArgs, i: number): Read => {
  const kind = args.kind(i)
  if (kind === 'number') return { kind, value: args.number(i) }
  if (kind === 'boolean') return { kind, value: args.boolean(i) }
  if (kind === 'string') return { kind, value: [args.stringLength(i), ctx.getString(args.handle(i))] }
  return { kind }
}

describe('host function', () => {
  it('the package internals it relies on are there (else every call takes the slow path)', () => {
    expect(quickJSInternals(ctx)).not.toBeNull()
  })

  it('reads each kind of argument as QuickJS has it', () => {
    let seen: Read[] = []
    body = (args) => {
      seen = Array.from({ length: args.count }, (_, i) => read(args, i))
      return undefined
    }
    evalGuest(
      `f(0, -1, 2147483647, -2147483648, 2147483648, 0.5, -0, NaN, 1e300, true, false, '', 'ab', 'Ā€', 'x'.repeat(5000), undefined, null, {}, [], () => 1, Symbol('s'), 10n)`,
    )
    expect(seen).toEqual([
      { kind: 'number', value: 0 },
      { kind: 'number', value: -1 },
      { kind: 'number', value: 2147483647 },
      { kind: 'number', value: -2147483648 },
      { kind: 'number', value: 2147483648 },
      { kind: 'number', value: 0.5 },
      { kind: 'number', value: -0 },
      { kind: 'number', value: NaN },
      { kind: 'number', value: 1e300 },
      { kind: 'boolean', value: true },
      { kind: 'boolean', value: false },
      { kind: 'string', value: [0, ''] },
      { kind: 'string', value: [2, 'ab'] },
      { kind: 'string', value: [2, 'Ā€'] },
      { kind: 'string', value: [5000, 'x'.repeat(5000)] },
      { kind: 'undefined' },
      { kind: 'null' },
      { kind: 'object' },
      { kind: 'object' },
      { kind: 'function' },
      { kind: 'symbol' },
      { kind: 'bigint' },
    ])
  })

  it('gives back numbers, values and undefined, and throws errors', () => {
    body = (args) => {
      const what = args.number(0)
      if (what === 0) return 7.25
      if (what === 1) return ctx.newString('text')
      if (what === 2) return ctx.true
      if (what === 3) return { error: ctx.newError({ name: 'RangeError', message: 'no' }) }
      return undefined
    }
    expect(evalGuest(`[f(0), f(1), f(2), typeof f(9)]`)).toEqual([7.25, 'text', true, 'undefined'])
    expect(evalGuest(`try { f(3); 'none' } catch (e) { e.name + ': ' + e.message }`)).toBe('RangeError: no')
    // The static true survives being answered many times (a copy goes to the guest each time).
    expect(evalGuest(`let ok = 0; for (let i = 0; i < 1000; i++) ok += f(2) === true; ok`)).toBe(1000)
  })

  it('hands a value the host owns (a JSValue* of its own) to C as it is: the guest gets it, and nothing leaks', () => {
    const q = quickJSInternals(ctx)!
    const owned = (s: string) => {
      // A JSValue* of the host's own, as QuickJS's C functions give one (a copy of a handle's value).
      const h = ctx.newString(s)
      const mine = ownedHandle(q, q.ffi.QTS_DupValuePointer(q.ctxPtr, h.value))
      h.dispose()
      return mine
    }
    let last: OwnedValue | undefined
    body = (args) => (last = owned('v' + args.number(0)))
    expect(evalGuest(`[f(1), f(22)]`)).toEqual(['v1', 'v22'])
    // Handed over, the handle is dead: nothing is left for the host to free.
    expect(last!.alive).toBe(false)
    const memory = () => ctx.runtime.computeMemoryUsage().consume((m) => ctx.dump(m) as { memory_used_size: number })
    const before = memory().memory_used_size
    expect(evalGuest(`let n = 0; for (let i = 0; i < 20000; i++) n += f(i).length; n`)).toBe(108_890)
    expect(memory().memory_used_size - before).toBeLessThan(64 * 1024)
  })

  it('reads the kinds of values the host holds as QuickJS does', () => {
    const values = [
      '1',
      '0.5',
      "'s'",
      "'x'.repeat(500)",
      'undefined',
      'null',
      'true',
      '({})',
      '[]',
      '() => 1',
      "Symbol('s')",
      '1n',
    ]
    const slow = slowKinds(ctx)
    for (const v of values) {
      const h = ctx.unwrapResult(ctx.evalCode(v))
      expect([v, kinds.kindOf(h), kinds.isObject(h)]).toEqual([v, slow.kindOf(h), slow.isObject(h)])
      h.dispose()
    }
    expect(slow.kindOf(ctx.null)).toBe('null')
    expect(slow.isObject(ctx.null)).toBe(false)
  })

  it("reads a narrow string argument straight from QuickJS's memory, or lends its bytes; nothing else", () => {
    // NUL and every byte included; a wide string, a number or an object is not read that way
    const bytes = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('')
    let seen: Array<string | null> = []
    body = (args) => {
      seen = [args.latin1(0), args.latin1Bytes(0)?.toString() ?? null]
      return undefined
    }
    for (const [code, expected] of [
      ["''", ''],
      ["'ab'", 'ab'],
      [`String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)).repeat(20)`, bytes.repeat(20)],
      ["'Ā€'", null],
      ['12', null],
      ['({})', null],
    ] as const) {
      evalGuest(`f(${code})`)
      expect([code, ...seen]).toEqual([code, expected, expected])
    }
  })

  it('an exception out of the host body reaches the guest as an error, and calls go on', () => {
    body = (args) => {
      if (args.number(0) === 1) throw new Error('host broke')
      return 5
    }
    expect(evalGuest(`try { f(1); 'none' } catch (e) { e.message }`)).toBe('host broke')
    expect(evalGuest(`f(0)`)).toBe(5)
  })

  it('other host functions of the context still work', () => {
    ctx.newFunction('g', (a) => ctx.newNumber(ctx.getNumber(a) * 2)).consume((g) => ctx.setProp(ctx.global, 'g', g))
    body = () => 1
    expect(evalGuest(`[g(21), f(), g(1)]`)).toEqual([42, 1, 2])
  })
})
