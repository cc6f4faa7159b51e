// Strings between the host and QuickJS through its binary format (guest-strings.ts): any string, long or holding
// NUL, wide characters or lone surrogates, arrives as it was, both ways.
import { newQuickJSWASMModule, type QuickJSContext } from 'quickjs-emscripten'
import { beforeAll, describe, expect, it } from 'vitest'
import { GuestStrings, SHORT_STRING } from '../../src/runtime/guest-strings.js'

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
