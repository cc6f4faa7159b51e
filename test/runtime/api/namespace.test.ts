// createvirtualnamespace(code, name) and evaluate(context) (docs/REPY.md, 'Virtual namespaces').
import { beforeAll, describe, expect, it } from 'vitest'
import { runGuest, type GuestRun } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

describe('virtual namespaces', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(
      CHECKS +
        String.raw`
check('syntax error', () => createvirtualnamespace('x = 1 +', 'bad'))
check('syntax error class', () => { try { createvirtualnamespace('}{', 'bad') } catch (e) { return [e instanceof CodeUnsafeError, e instanceof RepyException, e.message.includes('bad')] } })
check('code not string', () => createvirtualnamespace(5, 'n'))
check('name not string', () => createvirtualnamespace('1', 5))
check('1 arg', () => createvirtualnamespace('1'))
check('3 args', () => createvirtualnamespace('1', 'n', 1))
const ns = createvirtualnamespace('x = y + 1; kind = typeof log; big = Math.max(1, 5)', 'calc')
check('handle', () => Object.prototype.toString.call(ns))
const ctx = { y: 2 }
check('evaluate returns the context', () => ns.evaluate(ctx) === ctx)
check('context after', () => ctx)
check('no global leak', () => typeof x)
check('evaluate again', () => ns.evaluate({ y: 41 }).x)
check('not an object', () => ns.evaluate(5))
check('null', () => ns.evaluate(null))
check('array', () => ns.evaluate([]))
check('no context', () => ns.evaluate())
check('2 args', () => ns.evaluate({}, {}))
check('repy error propagates', () => createvirtualnamespace('throw new FileError("from inside")', 'n').evaluate({}))
check('api error propagates', () => createvirtualnamespace('openfile("missing", false)', 'n').evaluate({}))
check('unknown name', () => createvirtualnamespace('z = nothere + 1', 'n').evaluate({}))
check('type error', () => createvirtualnamespace('null.f', 'n').evaluate({}))
check('uses the API', () => { createvirtualnamespace('log("inside -> ok \\"logged\\"\\n")', 'n').evaluate({}); return 'done' })
check('no host', () => { const c = {}; createvirtualnamespace('p = typeof globalThis.process; q = typeof globalThis.require', 'n').evaluate(c); return [c.p, c.q] })
`,
    )
    r = results(run.output)
  })

  it('runs to the end', () => expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 }))

  it('raises CodeUnsafeError for code that does not compile', () => {
    expect(r.get('syntax error')).toBe('CodeUnsafeError')
    expect(okValue(r, 'syntax error class')).toEqual([true, true, true])
  })

  it.each(['code not string', 'name not string', '1 arg', '3 args', '2 args'])('refuses bad arguments: %s', (label) => {
    expect(r.get(label)).toBe('RepyArgumentError')
  })

  it('evaluates code with an object as its global scope', () => {
    expect(okValue(r, 'handle')).toBe('[object VirtualNamespace]')
    expect(okValue(r, 'evaluate returns the context')).toBe(true)
    expect(okValue(r, 'context after')).toEqual({ y: 2, x: 3, kind: 'function', big: 5 })
    expect(okValue(r, 'no global leak')).toBe('undefined')
    expect(okValue(r, 'evaluate again')).toBe(42)
  })

  it.each(['not an object', 'null', 'array', 'no context'])(
    'raises ContextUnsafeError for a context that is %s',
    (label) => {
      expect(r.get(label)).toBe('ContextUnsafeError')
    },
  )

  it('lets errors of the evaluated code propagate', () => {
    expect(r.get('repy error propagates')).toBe('FileError')
    expect(r.get('api error propagates')).toBe('FileNotFoundError')
    expect(r.get('unknown name')).toBe('ReferenceError')
    expect(r.get('type error')).toBe('TypeError')
  })

  it('gives the evaluated code the API and nothing more', () => {
    expect(okValue(r, 'inside')).toBe('logged')
    expect(okValue(r, 'uses the API')).toBe('done')
    expect(okValue(r, 'no host')).toEqual(['undefined', 'undefined'])
  })
})
