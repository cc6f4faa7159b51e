// Strings between the host and QuickJS through its binary format (guest-strings.ts): any string, long or holding
// NUL, wide characters or lone surrogates, arrives as it was, both ways.
import { newQuickJSWASMModule, type QuickJSContext } from 'quickjs-emscripten'
import { beforeAll, describe, expect, it } from 'vitest'
import { GuestStrings, SHORT_STRING } from '../../src/runtime/guest-strings.js'
import { quickJSInternals } from '../../src/runtime/quickjs-internals.js'

let ctx: QuickJSContext
let strings: GuestStrings
beforeAll(async () => {
  ctx = (await newQuickJSWASMModule()).newContext()
  strings = new GuestStrings(ctx)
})

const codeUnits = (s: string): number[] => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i))
const allBytes = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('')
const CASES: Record<string, string> = {
  empty: '',
  'every byte': allBytes.repeat(3),
  'NUL only': '\0'.repeat(SHORT_STRING * 2),
  wide: 'Ā'.repeat(200) + allBytes,
  'emoji and lone surrogates': '😀x\ud800y\udc00'.repeat(100),
  long: 'abc'.repeat(100_000),
}

describe('guest strings', () => {
  it('match what this QuickJS writes, so they are used', () => expect(strings.enabled).toBe(true))

  it.each(Object.keys(CASES))('arrive in the guest as they were: %s', (name) => {
    const s = CASES[name]!
    const h = strings.toGuest(s)!
    // The guest's own view of it: its length and every code unit.
    const fn = ctx.unwrapResult(
      ctx.evalCode('(s) => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)).join()'),
    )
    const units = ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, h)).consume((v) => ctx.getString(v))
    fn.dispose()
    h.dispose()
    expect(units).toBe(codeUnits(s).join())
  })

  it('written one after another into the same scratch buffer, each arrives alone, at every size around its limit', async () => {
    // A fresh context, so that its scratch buffer starts small, grows, and its memory grows under it.
    const c = (await newQuickJSWASMModule()).newContext()
    const own = new GuestStrings(c)
    const inGuest = (s: string): string => {
      const h = own.toGuest(s)!
      const units = c.unwrapResult(c.evalCode('(s) => s.length + ":" + s.slice(0, 3) + s.slice(-3)'))
      const r = c.unwrapResult(c.callFunction(units, c.undefined, h)).consume((v) => c.getString(v))
      units.dispose()
      h.dispose()
      return r
    }
    const limit = 64 * 1024
    const memory = () => quickJSInternals(c)!.module.HEAPU8.length
    const before = memory()
    // 40 MiB: the module's memory grows (its old buffer is detached) between two strings that use the scratch.
    for (const length of [300, 5000, 200, limit - 10, limit, limit + 10, 130, 40 << 20, 1000, 40_000, 150])
      expect(inGuest('<' + 'z'.repeat(length - 2) + '>')).toBe(`${length}:<zzzz>`)
    expect(memory()).toBeGreaterThan(before)
    // A wide string after narrow ones, and a narrow one after it.
    expect(inGuest('Ā' + 'y'.repeat(1000) + 'Ā')).toBe('1002:ĀyyyyĀ')
    expect(inGuest('<' + 'z'.repeat(498) + '>')).toBe('500:<zzzz>')
  })

  it('give back the module memory each one took: 4.5 GB of strings pass through a 4 GB memory', () => {
    const s = 'x'.repeat(8 << 20)
    for (let i = 0; i < 560; i++) {
      const h = strings.toGuest(s)
      expect(h).not.toBeNull()
      h!.dispose()
    }
  })

  it.each(Object.keys(CASES))('come back from the guest as they were: %s', (name) => {
    const s = CASES[name]!
    // Built in the guest from its code units, not passed in.
    const code = `String.fromCharCode(${codeUnits(s.slice(0, 2000)).join(',')}).repeat(${Math.ceil(s.length / 2000) || 0}).slice(0, ${s.length})`
    const h = ctx.unwrapResult(ctx.evalCode(code))
    const back = strings.fromGuest(h)
    h.dispose()
    expect(back).toBe(
      s
        .slice(0, 2000)
        .repeat(Math.ceil(s.length / 2000) || 0)
        .slice(0, s.length),
    )
  })
})
