// Semantics of the Python 2 runtime (src/repy/guest), run directly in Node: values, operators, formatting,
// methods, calls, classes and exceptions, driven the way compiled code drives them.
import { describe, expect, it } from 'vitest'
import { createRuntime } from '../../src/repy/guest/runtime.js'
import { compileRepy } from '../../src/repy/index.js'

const py = createRuntime({ onCatch() {} })
const $rt = py.rt
const G = py.newDict()
/** What compiled code evaluates to: given $rt, a module body to run on a globals dict. */
type Factory = (rt: unknown) => (g: unknown) => unknown
const B = (n: string): unknown => $rt.gget(G, n)
const r = (x: unknown): string => py.repr(x)
const s = (x: unknown): string => py.str(x)
const run = (step: unknown): unknown => py.runSync(step)
const c = (f: string, ...a: unknown[]): unknown => run($rt.call(B(f), a))
const m = (o: unknown, n: string, ...a: unknown[]): unknown => run($rt.callMethod(o, n, a))
const F = (n: number): unknown => $rt.float(n)
const T = (...a: unknown[]): unknown => $rt.tuple(a)
const errOf = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    const x = py.exceptionSummary(e)
    return `${x.typeName}: ${x.message}`
  }
  return 'no error'
}
const meta = (
  name: string,
  params: string[],
  extra: Partial<{ defaults: unknown[]; star: string; kw: string }> = {},
) => ({
  name,
  params,
  defaults: extra.defaults ?? [],
  star: extra.star ?? null,
  kw: extra.kw ?? null,
  file: 't.r2py',
  line: 1,
})
const def = (name: string, params: string[], body: (...a: unknown[]) => unknown, extra = {}) =>
  $rt.func(
    // eslint-disable-next-line require-yield -- the contract's $rt.func takes a generator function
    function* (...a: unknown[]) {
      return body(...a)
    },
    meta(name, params, extra),
  )

describe('numbers', () => {
  it('int arithmetic with overflow to long and back', () => {
    expect(r($rt.add(2 ** 52, 2 ** 52))).toBe('9007199254740992')
    expect(typeof $rt.add(2 ** 52, 2 ** 52)).toBe('bigint')
    expect($rt.sub($rt.add(2 ** 53, 5), 2 ** 53)).toBe(5)
    expect(r($rt.mul(2 ** 40, 2 ** 40))).toBe('1208925819614629174706176L')
    expect(r($rt.pow(2, 62))).toBe('4611686018427387904')
    expect(r($rt.pow(2, 100))).toBe('1267650600228229401496703205376L')
    expect(r($rt.pow(2, -1))).toBe('0.5')
    expect(r($rt.lshift(1, 64))).toBe('18446744073709551616L')
    expect($rt.rshift(-9, 1)).toBe(-5)
    expect($rt.add(true, true)).toBe(2)
    expect($rt.bitand(true, false)).toBe(false)
    expect($rt.bitxor(6, 3)).toBe(5)
    expect($rt.invert(5)).toBe(-6)
  })
  it('floor division and modulo follow Python signs', () => {
    expect($rt.div(-7, 2)).toBe(-4)
    expect($rt.div(7, -2)).toBe(-4)
    expect($rt.mod(-7, 2)).toBe(1)
    expect($rt.mod(7, -2)).toBe(-1)
    expect(r($rt.div(F(7), 2))).toBe('3.5')
    expect(r($rt.mod(F(-7.5), 2))).toBe('0.5')
    expect(r($rt.floordiv(F(-7.5), 2))).toBe('-4.0')
    expect(r(c('divmod', -7, 2))).toBe('(-4, 1)')
    expect(errOf(() => $rt.div(1, 0))).toBe('ZeroDivisionError: integer division or modulo by zero')
    expect(errOf(() => $rt.div(F(1), 0))).toBe('ZeroDivisionError: float division by zero')
  })
  it('str and repr of floats', () => {
    expect(s(F(0.1))).toBe('0.1')
    expect(s(F(1))).toBe('1.0')
    expect(s(F(1 / 3))).toBe('0.333333333333')
    expect(r(F(1 / 3))).toBe('0.3333333333333333')
    expect(r(F(1e16))).toBe('1e+16')
    expect(r(F(1e-7))).toBe('1e-07')
    expect(s(F(123456789012345.0))).toBe('1.23456789012e+14')
    expect(r(F(-0))).toBe('-0.0')
    expect(r(c('float', 'inf'))).toBe('inf')
  })
  it('conversions', () => {
    expect(c('int', '12')).toBe(12)
    expect(c('int', 'ff', 16)).toBe(255)
    expect(c('int', F(-3.7))).toBe(-3)
    expect(r(c('float', '1.5'))).toBe('1.5')
    expect(errOf(() => c('int', 'x'))).toBe("ValueError: invalid literal for int() with base 10: 'x'")
    expect(c('hex', 255)).toBe('0xff')
    expect(c('oct', 8)).toBe('010')
    expect(r(c('round', F(2.5)))).toBe('3.0')
    expect(r(c('round', F(2.675), 2))).toBe('2.67')
    expect(c('abs', -3)).toBe(3)
  })
})

describe('repr / str', () => {
  it('containers', () => {
    expect(r(T(1))).toBe('(1,)')
    expect(r(T())).toBe('()')
    expect(r([1, 'a', T(F(2.5), null), [true]])).toBe("[1, 'a', (2.5, None), [True]]")
    expect(r($rt.dict(['a', 1, 2, [3]]))).toBe("{'a': 1, 2: [3]}")
    expect(r(c('set', [1, 2, 2]))).toBe('set([1, 2])')
    const l: unknown[] = [1]
    l.push(l)
    expect(r(l)).toBe('[1, [...]]')
  })
  it('strings quote and escape like Python', () => {
    expect(r("it's")).toBe('"it\'s"')
    expect(r('a\'b"c\n\x01\xff')).toBe("'a\\'b\"c\\n\\x01\\xff'")
    expect(s('x')).toBe('x')
  })
})

describe('% formatting', () => {
  it('conversions and flags', () => {
    expect(
      $rt.mod(
        '%d %s %r %5.2f|%-4d|%04d|%x|%#o|%e|%g|%%',
        T(42, 'hi', 'hi', F(3.14159), 7, -5, 255, 8, F(12345.678), F(0.0001)),
      ),
    ).toBe("42 hi 'hi'  3.14|7   |-005|ff|010|1.234568e+04|0.0001|%")
    expect($rt.mod('%(a)s-%(b)03d', $rt.dict(['a', 'x', 'b', 5]))).toBe('x-005')
    expect($rt.mod('%s', T(T(1, 2)))).toBe('(1, 2)')
    expect($rt.mod('%s', 5)).toBe('5')
    expect($rt.mod('%*d|%.*f', T(5, 3, 2, F(1.5)))).toBe('    3|1.50')
    expect($rt.mod('%g %g %g %G', T(F(1e20), F(123456789), F(0.5), F(1e-10)))).toBe('1e+20 1.23457e+08 0.5 1E-10')
    expect($rt.mod('%c%c', T(65, 'b'))).toBe('Ab')
    expect($rt.mod('%+d % d', T(3, 3))).toBe('+3  3')
  })
  it('argument count errors', () => {
    expect(errOf(() => $rt.mod('%s %s', T(1)))).toBe('TypeError: not enough arguments for format string')
    expect(errOf(() => $rt.mod('%s', T(1, 2)))).toBe('TypeError: not all arguments converted during string formatting')
    expect(errOf(() => $rt.mod('%d', 'x'))).toBe('TypeError: %d format: a number is required, not str')
  })
})

describe('str methods', () => {
  it('split family', () => {
    expect(r(m(' a  b c ', 'split'))).toBe("['a', 'b', 'c']")
    expect(r(m('a,b,,c', 'split', ','))).toBe("['a', 'b', '', 'c']")
    expect(r(m('a b c d', 'split', null, 2))).toBe("['a', 'b', 'c d']")
    expect(r(m('a b c d', 'rsplit', null, 2))).toBe("['a b', 'c', 'd']")
    expect(r(m('a,b,c', 'rsplit', ',', 1))).toBe("['a,b', 'c']")
    expect(r(m('a\nb\r\nc', 'splitlines'))).toBe("['a', 'b', 'c']")
    expect(r(m('a=b=c', 'partition', '='))).toBe("('a', '=', 'b=c')")
    expect(r(m('a=b=c', 'rpartition', '='))).toBe("('a=b', '=', 'c')")
  })
  it('others', () => {
    expect(m(',', 'join', ['a', 'b'])).toBe('a,b')
    expect(errOf(() => m(',', 'join', ['a', 1]))).toBe('TypeError: sequence item 1: expected string, int found')
    expect(m('  xx ', 'strip')).toBe('xx')
    expect(m('xxhixx', 'strip', 'x')).toBe('hi')
    expect(m('aaa', 'replace', 'a', 'b', 2)).toBe('bba')
    expect(m('hello', 'find', 'l')).toBe(2)
    expect(m('hello', 'rfind', 'l')).toBe(3)
    expect(errOf(() => m('hello', 'index', 'z'))).toBe('ValueError: substring not found')
    expect(m('abcabc', 'count', 'bc')).toBe(2)
    expect(m('hello', 'startswith', T('x', 'he'))).toBe(true)
    expect(m('ab', 'center', 7, '*')).toBe('***ab**')
    expect(m('-42', 'zfill', 6)).toBe('-00042')
    expect(m('hello world', 'title')).toBe('Hello World')
    expect(m('hELLO', 'capitalize')).toBe('Hello')
    expect(m('123', 'isdigit')).toBe(true)
    expect(m('', 'isdigit')).toBe(false)
    expect(m('{0}-{1}-{0}', 'format', 'a', 'b')).toBe('a-b-a')
    expect(m('{:>5}|{:.2f}|{x}', 'format', 'ab', F(3.14159), new Map([['x', 9]]))).toBe('   ab|3.14|9')
    expect($rt.mul('ab', 3)).toBe('ababab')
    expect($rt.contains('hello', 'ell')).toBe(true)
  })
})

describe('containers', () => {
  it('dict keys use Python equality', () => {
    const d = $rt.dict([1, 'one'])
    expect($rt.getitem(d, F(1))).toBe('one')
    expect($rt.getitem(d, true)).toBe('one')
    $rt.setitem(d, T(1, 'a'), 'tup')
    expect($rt.getitem(d, T(F(1), 'a'))).toBe('tup')
    expect(errOf(() => $rt.setitem(d, [1], 1))).toBe("TypeError: unhashable type: 'list'")
    expect(errOf(() => $rt.getitem($rt.dict([]), 'a'))).toBe("KeyError: 'a'")
    expect(r(m($rt.dict(['a', 1]), 'items'))).toBe("[('a', 1)]")
    expect(m($rt.dict(['a', 1]), 'get', 'b', 5)).toBe(5)
    expect(m($rt.dict(['a', 1]), 'has_key', 'a')).toBe(true)
  })
  it('lists', () => {
    const l = [3, 1, 2]
    m(l, 'sort')
    expect(r(l)).toBe('[1, 2, 3]')
    run($rt.callMethodKw(l, 'sort', [], [['reverse', true]]))
    expect(r(l)).toBe('[3, 2, 1]')
    const rc = def('rc', ['a', 'b'], (a, b) => $rt.sub(b, a))
    const l2 = [3, 1, 2, 5]
    m(l2, 'sort', rc)
    expect(r(l2)).toBe('[5, 3, 2, 1]')
    const l3 = ['bb', 'a', 'ccc']
    run($rt.callMethodKw(l3, 'sort', [], [['key', B('len')]]))
    expect(r(l3)).toBe("['a', 'bb', 'ccc']")
    expect(errOf(() => $rt.getitem([1], 5))).toBe('IndexError: list index out of range')
    expect(errOf(() => m([], 'pop'))).toBe('IndexError: pop from empty list')
    expect(r($rt.getslice([1, 2, 3, 4], 1, undefined, undefined))).toBe('[2, 3, 4]')
    expect(r($rt.getslice('abcdef', undefined, undefined, -2))).toBe("'fdb'")
    expect(r($rt.iadd([1], T(2)))).toBe('[1, 2]')
    const l4 = [1, 2, 3, 4]
    $rt.setslice(l4, 1, 3, undefined, ['x'])
    expect(r(l4)).toBe("[1, 'x', 4]")
  })
  it('iteration', () => {
    const lst = [1]
    const li = $rt.iter(lst)
    expect(li.next()).toBe(1)
    lst.push(5)
    expect(li.next()).toBe(5)
    expect(li.next()).toBe($rt.STOP)
    const xi = $rt.iter(c('xrange', 3))
    expect([xi.next(), xi.next(), xi.next(), xi.next() === $rt.STOP]).toEqual([0, 1, 2, true])
    expect(r(c('list', 'ab'))).toBe("['a', 'b']")
    expect(errOf(() => $rt.unpack([1, 2, 3], 2))).toBe('ValueError: too many values to unpack')
    expect(errOf(() => $rt.unpack([1], 2))).toBe('ValueError: need more than 1 value to unpack')
  })
  it('sets', () => {
    expect(r($rt.bitor(c('set', [1]), c('set', [2])))).toBe('set([1, 2])')
    expect(r($rt.sub(c('set', [1, 2]), c('set', [2])))).toBe('set([1])')
    expect($rt.contains(c('frozenset', [T(1, 2)]), T(1, 2))).toBe(true)
  })
})

describe('comparisons', () => {
  it('Python 2 ordering across types', () => {
    expect($rt.lt(null, 0)).toBe(true)
    expect($rt.lt(100, 'a')).toBe(true)
    expect($rt.lt([1], 'a')).toBe(true)
    expect($rt.lt([1, 2], [1, 3])).toBe(true)
    expect($rt.lt(T(1, 2), T(1, 2, 0))).toBe(true)
    expect($rt.eq(1, F(1))).toBe(true)
    expect($rt.eq(c('int', '9007199254740993'), F(9007199254740992))).toBe(false)
    expect($rt.eq($rt.dict(['a', [1]]), $rt.dict(['a', [1]]))).toBe(true)
    expect(c('cmp', 'a', 'b')).toBe(-1)
    expect($rt.truth([])).toBe(false)
    expect($rt.truth(F(0))).toBe(false)
    expect($rt.truth($rt.dict(['a', 1]))).toBe(true)
  })
})

describe('builtins', () => {
  it('functions', () => {
    expect(c('sum', c('xrange', 10))).toBe(45)
    expect(c('max', [3, 1, 4])).toBe(4)
    expect(run($rt.callKw(B('max'), ['aaa', 'b', 'cc'], [['key', B('len')]]))).toBe('aaa')
    expect(c('min', 3, 1, 4)).toBe(1)
    expect(r(c('map', B('str'), [1, 2]))).toBe("['1', '2']")
    expect(r(c('zip', [1, 2], 'ab'))).toBe("[(1, 'a'), (2, 'b')]")
    expect(r(c('filter', null, [0, 1, 2]))).toBe('[1, 2]')
    expect(c('reduce', B('cmp'), [1, 2])).toBe(-1)
    expect(r(c('range', 5, 0, -2))).toBe('[5, 3, 1]')
    expect(r(c('xrange', 1, 10, 3))).toBe('xrange(1, 10, 3)')
    expect(c('len', 'abc')).toBe(3)
    expect(c('ord', 'a')).toBe(97)
    expect(c('chr', 97)).toBe('a')
    expect(errOf(() => c('chr', 256))).toBe('ValueError: chr() arg not in range(256)')
  })
  it('type objects and safe_type', () => {
    expect(r(c('type', 1))).toBe("<type 'int'>")
    expect(r(c('type', c('type', 1)))).toBe("<type 'type'>")
    expect(c('isinstance', true, B('int'))).toBe(true)
    expect(c('isinstance', 1, T(B('str'), B('int')))).toBe(true)
    expect(r(B('ValueError'))).toBe("<type 'exceptions.ValueError'>")
  })
  it('forbidden builtins raise RunBuiltinException', () => {
    expect(errOf(() => c('open', 'f', 'r'))).toBe(
      "RunBuiltinException: Unsafe call 'open' with args '('f', 'r')', kwargs '{}'",
    )
    expect(B('license')).toBe('')
    expect(errOf(() => B('RunBuiltinException'))).toBe("NameError: name 'RunBuiltinException' is not defined")
  })
})

describe('calls and classes', () => {
  it('binds arguments like CPython', () => {
    const f = $rt.func(
      // eslint-disable-next-line require-yield -- the contract's $rt.func takes a generator function
      function* (a: unknown, b: unknown, args: unknown, kw: unknown) {
        return $rt.tuple([a, b, args, kw])
      },
      meta('f', ['a', 'b'], { defaults: [2], star: 'args', kw: 'kw' }),
    )
    expect(r(run($rt.call(f, [1])))).toBe('(1, 2, (), {})')
    expect(r(run($rt.call(f, [1, 3, 4, 5])))).toBe('(1, 3, (4, 5), {})')
    expect(
      r(
        run(
          $rt.callKw(
            f,
            [],
            [
              ['a', 9],
              ['z', 1],
            ],
          ),
        ),
      ),
    ).toBe("(9, 2, (), {'z': 1})")
    const g = def('g', ['a', 'b'], (a, b) => $rt.add(a, b))
    expect(errOf(() => run($rt.call(g, [1])))).toBe('TypeError: g() takes exactly 2 arguments (1 given)')
    expect(errOf(() => run($rt.callKw(g, [1], [['z', 1]])))).toBe(
      "TypeError: g() got an unexpected keyword argument 'z'",
    )
    expect(errOf(() => run($rt.callKw(g, [1], [['a', 1]])))).toBe(
      "TypeError: g() got multiple values for keyword argument 'a'",
    )
    expect(run($rt.callKw(g, [], [], $rt.tuple([1, 2])))).toBe(3)
    expect(run($rt.callKw(g, [], [], undefined, $rt.dict(['a', 1, 'b', 5])))).toBe(6)
    expect(errOf(() => $rt.call(5, []))).toBe("TypeError: 'int' object is not callable")
  })
  it('classes, methods, inheritance', () => {
    const ns = new Map<string, unknown>()
    ns.set(
      '__init__',
      def('__init__', ['self', 'x'], (self, x) => {
        $rt.setattr(self, 'x', x)
        return null
      }),
    )
    ns.set(
      'get',
      def('get', ['self'], (self) => $rt.getattr(self, 'x')),
    )
    ns.set(
      '__str__',
      def('__str__', ['self'], (self) => $rt.mod('Foo%d', $rt.getattr(self, 'x'))),
    )
    ns.set('k', 10)
    const Foo = $rt.makeClass('Foo', [B('object')], ns)
    const foo = run($rt.call(Foo, [7]))
    expect(run($rt.callMethod(foo, 'get', []))).toBe(7)
    const bound = $rt.getattr(foo, 'get')
    expect(run($rt.call(bound, []))).toBe(7)
    expect($rt.getattr(foo, 'k')).toBe(10)
    expect(s(foo)).toBe('Foo7')
    expect($rt.mod('%s!', foo)).toBe('Foo7!')
    expect(r(foo)).toMatch(/^<__main__\.Foo object at 0x[0-9a-f]+>$/)
    expect(errOf(() => $rt.getattr(foo, 'bar'))).toBe("AttributeError: 'Foo' object has no attribute 'bar'")
    expect(errOf(() => run($rt.call(Foo, [])))).toBe('TypeError: __init__() takes exactly 2 arguments (1 given)')
    const Bar = $rt.makeClass('Bar', [Foo], new Map())
    const bar = run($rt.call(Bar, [3]))
    expect(run($rt.callMethod(bar, 'get', []))).toBe(3)
    expect(c('isinstance', bar, Foo)).toBe(true)
    expect(c('type', bar)).toBe(Bar)
    const D = $rt.makeClass('D', [B('dict')], new Map())
    const dd = run($rt.call(D, [[T('a', 1)]]))
    expect($rt.getitem(dd, 'a')).toBe(1)
  })
  it('__iter__ instances', () => {
    const ns = new Map<string, unknown>()
    ns.set(
      '__init__',
      def('__init__', ['self'], (self) => {
        $rt.setattr(self, 'i', 0)
        return null
      }),
    )
    ns.set(
      '__iter__',
      def('__iter__', ['self'], (self) => self),
    )
    ns.set(
      'next',
      def('next', ['self'], (self) => {
        const i = $rt.getattr(self, 'i')
        if ($rt.ge(i, 3)) throw $rt.raise(B('StopIteration'))
        $rt.setattr(self, 'i', $rt.add(i, 1))
        return i
      }),
    )
    const Cnt = $rt.makeClass('Cnt', [], ns)
    expect(r(c('list', run($rt.call(Cnt, []))))).toBe('[0, 1, 2]')
  })
})

describe('exceptions', () => {
  it('str / repr / args', () => {
    const ke = run($rt.call(B('KeyError'), ['a']))
    expect(s(ke)).toBe("'a'")
    expect(r($rt.getattr(ke, 'args'))).toBe("('a',)")
    expect(r(run($rt.call(B('ValueError'), ['x'])))).toBe("ValueError('x',)")
    expect(s(run($rt.call(B('ValueError'), [1, 2])))).toBe('(1, 2)')
    const MyErr = $rt.makeClass('MyErr', [B('Exception')], new Map())
    const e = $rt.raise(MyErr, 'boom')
    expect(s(e)).toBe('boom')
    expect($rt.matches(e, B('Exception'))).toBe(true)
    expect($rt.matches(e, T(B('ValueError'), MyErr))).toBe(true)
    expect(r($rt.getattr($rt.raise(B('ValueError'), T(1, 2)), 'args'))).toBe('(1, 2)')
    expect(py.exceptionSummary($rt.raise('x')).message).toBe(
      'exceptions must be old-style classes or derived from BaseException, not str',
    )
  })
  it('catch converts JavaScript errors', () => {
    const re = new Error('nope')
    re.name = 'FileNotFoundError'
    const x = $rt.catch(re, 't.r2py', 'f', 1)
    expect(py.exceptionSummary(x)).toEqual({ typeName: 'FileNotFoundError', message: 'nope' })
    expect($rt.matches(x, B('RepyException'))).toBe(true)
    expect(py.exceptionSummary($rt.catch(new TypeError('x is undefined'), 't.r2py', 'f', 1)).typeName).toBe(
      'SystemError',
    )
    expect(
      py.exceptionSummary($rt.catch(new RangeError('Maximum call stack size exceeded'), 't.r2py', 'f', 1)).message,
    ).toBe('maximum recursion depth exceeded')
    expect(() => $rt.catch('interrupt', 't.r2py', 'f', 1)).toThrow()
    expect(py.getHandled()).toBe(py.getHandled())
  })
  it('frames make a traceback, outermost first', () => {
    // eslint-disable-next-line require-yield -- a frame that raises before it could suspend, delegated to by outer
    function* inner(): Generator<unknown, unknown, unknown> {
      try {
        throw $rt.raise(B('ValueError'), 'bad')
      } catch ($x) {
        throw $rt.frame($x, 'a.r2py', 'inner', 5)
      }
    }
    function* outer(): Generator<unknown, unknown, unknown> {
      try {
        return yield* inner()
      } catch ($x) {
        throw $rt.frame($x, 'a.r2py', '<module>', 9)
      }
    }
    let tb: unknown
    try {
      run(outer())
    } catch (e) {
      tb = py.traceback(e)
    }
    expect(tb).toEqual([
      { file: 'a.r2py', func: '<module>', line: 9 },
      { file: 'a.r2py', func: 'inner', line: 5 },
    ])
    py.setHandled(null)
    expect(py.exceptionSummary($rt.reraise()).message).toBe(
      'exceptions must be old-style classes or derived from BaseException, not NoneType',
    )
    expect(errOf(() => $rt.unbound('x'))).toBe("UnboundLocalError: local variable 'x' referenced before assignment")
    expect(errOf(() => $rt.gget(G, 'nope'))).toBe("NameError: name 'nope' is not defined")
  })
})

// Compiled code's inline fast paths (compile-expr.ts, compile-stmt.ts) against the runtime's slow paths: the same
// program text compiled and run here; `v(name)` gives a global's repr afterwards.
describe('compiled fast paths keep Python semantics', () => {
  const exec = (src: string): ((name: string) => string) => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the compiler's output, as the guest runtime's module loader does
    const factory = (new Function(`return ${compileRepy(src, 't.r2py')}`) as () => Factory)()
    const g = py.newDict()
    run(factory($rt)(g))
    return (name: string) => r(py.dictGet(g, name))
  }
  const errIn = (src: string): string => errOf(() => exec(src))

  it('+, -, * and unary - at the edge of the safe range, at module level and in a function', () => {
    const src = (p: string) =>
      `${p}m = 9007199254740991\n${p}a = m + 1\n${p}b = 1 + m\n${p}c = -m - 1\n${p}d = m - -1\n` +
      `${p}e = (m + 1) - 1\n${p}f = 94906267 * 94906267\n${p}g = 94906265 * 94906265\n${p}h = -m\n${p}k = m\n${p}k += 1\n` +
      `${p}n = -(m + 1)\n${p}p = 0\n${p}q = -p\n${p}s = p * -3\n${p}t = m * -1\n${p}u = (-m) - 1\n${p}a2 = a + 1\n` +
      `${p}c2 = c - 1\n${p}s2 = -3 * p\n`
    const all = 'm, a, b, c, d, e, f, g, h, k, n, float(q), float(s), t, u, a2, c2, float(s2)'
    const fn = 'def f():\n' + src('  ') + `  return [${all}]\nres = f()\n`
    // (longs print an L only beyond 64 bits, as on a 64-bit CPython; the values must be exact past 2**53)
    const want =
      '[9007199254740991, 9007199254740992, 9007199254740992, -9007199254740992, 9007199254740992, ' +
      '9007199254740991, 9007199515875289, 9007199136250225, -9007199254740991, 9007199254740992, ' +
      '-9007199254740992, 0.0, 0.0, -9007199254740991, -9007199254740992, 9007199254740993, -9007199254740993, 0.0]'
    expect(exec(fn)('res')).toBe(want)
    const mod = exec(src('') + `res = [${all}]\n`)
    expect(mod('res')).toBe(want)
  })
  it('bools, floats, strings, lists and longs take the slow path', () => {
    const v = exec(
      'def f(x, y):\n  return x + y, x - y, x * y, x < y, x == y, x != y, x >= y, -x\n' +
        'a = f(True, True)\nb = f(True, 2)\nc = f(1.5, 2)\nd = f(2, 0.5)\ne = f(10**20, 1)\ng = f(1, 10**20)\n' +
        'h = "ab" + "c"\nl = [1]\nl2 = l\nl += [2]\nx = True\nx += 1\nt = (1,)\nt += (2,)\ns = "a"\ns *= 3\n' +
        'def k():\n  n = True\n  n += True\n  return n\nkk = k()\n',
    )
    expect(v('a')).toBe('(2, 0, 1, False, True, False, True, -1)')
    expect(v('b')).toBe('(3, -1, 2, True, False, True, False, -1)')
    expect(v('c')).toBe('(3.5, -0.5, 3.0, True, False, True, False, -1.5)')
    expect(v('d')).toBe('(2.5, 1.5, 1.0, False, False, True, True, -2)')
    expect(v('e')).toBe(
      '(100000000000000000001L, 99999999999999999999L, 100000000000000000000L, False, False, True, True, -100000000000000000000L)',
    )
    expect(v('g')).toBe(
      '(100000000000000000001L, -99999999999999999999L, 100000000000000000000L, True, False, True, False, -1)',
    )
    expect([v('h'), v('l2'), v('x'), v('t'), v('s'), v('kk')]).toEqual(["'abc'", '[1, 2]', '2', '(1, 2)', "'aaa'", '2'])
    expect(errIn('def f(a):\n  return a + 1\nf(None)\n')).toBe(
      "TypeError: unsupported operand type(s) for +: 'NoneType' and 'int'",
    )
    expect(errIn('def f(a):\n  return a - 1\nf("x")\n')).toBe(
      "TypeError: unsupported operand type(s) for -: 'str' and 'int'",
    )
  })
  it('ints past 2^53 shrink back to numbers; a long stays a long', () => {
    const v = exec(
      'def f():\n  t = 9007199254740990\n  t += 5\n  a = t\n  t -= 5\n  t += -1\n  u = -9007199254740990\n' +
        '  u += -5\n  b = u\n  u += 10\n  return a, t, b, u\nres = f()\n',
    )
    expect(v('res')).toBe('(9007199254740995, 9007199254740989, -9007199254740995, -9007199254740985)')
    expect(
      exec('def f():\n  t = 2**62\n  t += 2**62\n  t -= 1\n  t += -(2**62)\n  t += 1\n  return t\nres = f()\n')('res'),
    ).toBe('4611686018427387904L')
  })
  it('% by a positive literal', () => {
    const v = exec(
      'def f(a):\n  return a % 3, float(a % 3)\nres = [f(7), f(-7), f(-6), f(7.5), f(10**20), f(True)]\ns = "%d" % 5\n',
    )
    expect(v('res')).toBe('[(1, 1.0), (2, 2.0), (0, 0.0), (1.5, 1.5), (1L, 1.0), (1, 1.0)]')
    expect(v('s')).toBe("'5'")
  })
  it('comparison chains evaluate each operand once; truth tests', () => {
    const v = exec(
      'n = [0]\ndef g(x):\n  n[0] += 1\n  return x\ndef f():\n  return 1 < g(2) < 3, 1 < g(5) < 3, g(1) == 1, g(2) != 2\n' +
        'res = f()\nc = n[0]\ndef t(x):\n  if x:\n    return 1\n  return 0\ntt = [t(0), t(1), t(True), t(False), t(None), t([]), t([0]), t(""), t(0.0), t(10**20)]\n',
    )
    expect(v('res')).toBe('(True, False, True, False)')
    expect(v('c')).toBe('4')
    expect(v('tt')).toBe('[0, 1, 1, 0, 0, 0, 1, 0, 0, 1]')
  })
  it('for over xrange / range: counted inline, or the call when the name is not the builtin', () => {
    const v = exec(
      'def f(*a):\n  out = []\n  for i in xrange(*a):\n    out.append(i)\n  return out\n' +
        'def g(a, b, c):\n  out = []\n  for i in xrange(a, b, c):\n    out.append(i)\n  return out\n' +
        'def h(a, b, c):\n  out = []\n  for i in range(a, b, c):\n    c = 100\n    i = 50\n    out.append(i)\n  else:\n    out.append(-1)\n  return out, i\n' +
        'r1 = g(10, 0, -3)\nr2 = g(0, 10, 4)\nr3 = g(5, 5, 1)\nr4 = h(5, 0, -1)\nr5 = g(True, 3, 1)\n' +
        'def last():\n  for i in xrange(3):\n    if i == 1:\n      break\n  else:\n    i = 99\n  return i\nr6 = last()\n' +
        'def lst():\n  l = []\n  for x, y in [(1, 2)]:\n    l.append(x)\n  for l[0] in xrange(4, 6):\n    pass\n  return l\nr7 = lst()\n' +
        'xs = 0\nfor j in xrange(4):\n  xs += j\n',
    )
    expect([v('r1'), v('r2'), v('r3'), v('r4'), v('r5'), v('r6'), v('r7'), v('xs'), v('j')]).toEqual([
      '[10, 7, 4, 1]',
      '[0, 4, 8]',
      '[]',
      '([50, 50, 50, 50, 50, -1], 50)',
      '[1, 2]',
      '1',
      '[5]',
      '6',
      '3',
    ])
    expect(errIn('def g(a, b, c):\n  for i in xrange(a, b, c):\n    pass\ng(0, 5, 0)\n')).toBe(
      'ValueError: xrange() step argument must not be zero',
    )
    expect(errIn('def g(a):\n  for i in xrange(a):\n    pass\ng(1.5)\n')).toBe(
      'TypeError: xrange() integer end argument expected, got float.',
    )
    expect(errIn('def g(a):\n  for i in xrange(a, a + 2):\n    pass\ng(2**53)\n')).toBe(
      errIn('x = xrange(2**53, 2**53 + 2)\n'),
    )
    expect(errIn('for i in range(10**8):\n  pass\n')).toBe('MemoryError: ')
    expect(errIn('def g():\n  for i in xrange(0):\n    pass\n  return i\ng()\n')).toBe(
      "UnboundLocalError: local variable 'i' referenced before assignment",
    )
    // shadowed: a global, a local, a builtin replaced in the module
    const w = exec(
      'def xrange(n):\n  return [7, 8]\ndef f():\n  return [i for i in [0]] + [i for i in []]\n' +
        'def g(n):\n  out = []\n  for i in xrange(n):\n    out.append(i)\n  return out\nr1 = g(5)\n' +
        'def nine(n):\n  return [9]\ndef h(range):\n  out = []\n  for i in range(3):\n    out.append(i)\n  return out\nr2 = h(nine)\n' +
        'def k():\n  out = []\n  for i in range(2):\n    out.append(i)\n  return out\nr3 = k()\nrange = nine\nr4 = k()\n',
    )
    expect([w('r1'), w('r2'), w('r3'), w('r4')]).toEqual(['[7, 8]', '[9]', '[0, 1]', '[9]'])
  })
  it('calls of up to 3 positional args (call0..call3) bind like call', () => {
    const v = exec(
      'def d(a, b=2):\n  return a, b\ndef st(*a):\n  return a\ndef kw(**k):\n  return len(k)\n' +
        'class C:\n  def __init__(self, x):\n    self.x = x\n  def m(self, y):\n    return self.x + y\n' +
        'c = C(5)\nbm = c.m\nres = [d(1), d(1, 3), st(), st(1, 2, 3), kw(), len("abc"), max(1, 5, 3), bm(2), C.m(c, 1), c.m(3)]\n' +
        'none = None\ndef rd():\n  return none\nrn = rd()\n',
    )
    expect(v('res')).toBe('[(1, 2), (1, 3), (), (1, 2, 3), 0, 3, 5, 7, 6, 8]')
    expect(v('rn')).toBe('None')
    expect(errIn('def d(a, b):\n  pass\nd(1)\n')).toBe('TypeError: d() takes exactly 2 arguments (1 given)')
    expect(errIn('def d(a):\n  pass\nd(1, 2, 3)\n')).toBe('TypeError: d() takes exactly 1 argument (3 given)')
    expect(errIn('len()\n')).toBe('TypeError: len() takes exactly one argument (0 given)')
    expect(errIn('x = 5\nx(1, 2)\n')).toBe("TypeError: 'int' object is not callable")
    expect(errIn('nope(1)\n')).toBe("NameError: name 'nope' is not defined")
  })
  it('a missing name is a missing global name in a function body, as Python 2 says, and a missing name elsewhere', () => {
    expect(errIn('def f():\n  return nope\nf()\n')).toBe("NameError: global name 'nope' is not defined")
    expect(errIn('class C:\n  def m(self):\n    return nope\nC().m()\n')).toBe(
      "NameError: global name 'nope' is not defined",
    )
    expect(errIn('class C:\n  x = nope\n')).toBe("NameError: name 'nope' is not defined")
    expect(errIn('def f():\n  class C:\n    x = nope\nf()\n')).toBe("NameError: name 'nope' is not defined")
    expect(errIn('x = [nope for i in [1]]\n')).toBe("NameError: name 'nope' is not defined")
  })
  it('a local a loop adds to keeps its long exact, read anywhere (the sum held as a long plus a JS number)', () => {
    const src =
      'def f1(n):\n' +
      '  total = 0\n' +
      '  for i in xrange(n):\n' +
      '    total += i*i\n' +
      '  return total\n' +
      'def f2():\n' +
      '  t = 2**62\n' +
      '  seen = []\n' +
      '  for i in range(5):\n' +
      '    t += -(2**52)\n' +
      '    seen.append(t)\n' +
      '    t += 2**52 + 1\n' +
      '  return t, seen\n' +
      'def f3():\n' +
      '  x = 2**60\n' +
      '  def peek():\n' +
      '    return x\n' +
      '  out = []\n' +
      '  i = 0\n' +
      '  while i < 3:\n' +
      '    x += 7\n' +
      '    out.append(peek())\n' +
      '    out.append(x)\n' +
      '    i += 1\n' +
      '  return out\n' +
      'def f4():\n' +
      '  try:\n' +
      '    for i in range(2):\n' +
      '      y += 1\n' +
      '  except NameError, e:\n' +
      '    return repr(type(e)) + str(e)\n' +
      'def f5():\n' +
      "  s = ''\n" +
      '  l = []\n' +
      '  f = 2**60\n' +
      '  for i in range(3):\n' +
      "    s += 'ab'\n" +
      '    l += [i]\n' +
      '    f += 0.5\n' +
      '  return s, l, f\n' +
      'def f6():\n' +
      '  x = 2**63 - 10\n' +
      '  for i in range(20):\n' +
      '    x += 1\n' +
      '    if i == 5:\n' +
      '      del x\n' +
      '      x = 2**64\n' +
      '  return x, type(x)\n' +
      'def f7():\n' +
      '  x = 2**55\n' +
      '  for i in range(4):\n' +
      '    x += -(2**53)\n' +
      '  for i in range(4):\n' +
      '    x += 2**53 - 1\n' +
      '  return x, x == 2**55 - 4, [x + 0 for z in range(1)]\n' +
      'def f8():\n' +
      '  x = 2**53\n' +
      '  for i in xrange(3):\n' +
      '    x += 1\n' +
      '  for x in xrange(2):\n' +
      '    pass\n' +
      '  return x\n' +
      'res = [f1(400000), f2(), f3(), f4(), f5(), f6(), f7(), f8()]\n'
    const js = compileRepy(src, 't.r2py')
    expect(js).toContain('total$d = ')
    expect(exec(src)('res')).toBe(
      "[21333253333400000, (4611686018427387909, [4607182418800017408, 4607182418800017409, 4607182418800017410, 4607182418800017411, 4607182418800017412]), [1152921504606846983, 1152921504606846983, 1152921504606846990, 1152921504606846990, 1152921504606846997, 1152921504606846997], \"<type 'exceptions.UnboundLocalError'>local variable 'y' referenced before assignment\", ('ababab', [0, 1, 2], 1.152921504606847e+18), (18446744073709551630L, <type 'long'>), (36028797018963964, True, [36028797018963964]), 1]",
    )
  })
  it('a global read sees every change of the globals dict (the read is kept only while the dict is unchanged)', () => {
    const src =
      "def f():\n  return len('ab')\ndef mylen(x):\n  return 42\ng = 1\ndef rg():\n  return g\n" +
      'a = [f(), rg()]\nlen = mylen\ng = 2\nb = [f(), rg()]\ndel len\ndel g\nc = [f()]\n' +
      'try:\n  rg()\nexcept NameError, e:\n  c.append(str(e))\ng = 3\nd = [rg()]\n'
    const v = exec(src)
    expect([v('a'), v('b'), v('c'), v('d')]).toEqual([
      '[2, 1]',
      '[42, 2]',
      '[2, "global name \'g\' is not defined"]',
      '[3]',
    ])
  })
  it('obj.m(a) calls the method of the class without an argument array, as Python would call it', () => {
    const src =
      'class C(object):\n' +
      '  def m(self, x):\n' +
      "    return ('m', x)\n" +
      '  def d(self, x, y=5):\n' +
      "    return ('d', x, y)\n" +
      '  def z(self):\n' +
      "    return 'z'\n" +
      'class D(dict):\n' +
      '  def get2(self, k):\n' +
      '    return self.get(k)\n' +
      'def other(x):\n' +
      "  return ('other', x)\n" +
      'c = C()\n' +
      'r = [c.m(1), c.d(1), c.d(1, 2), c.z(), C.m(c, 3)]\n' +
      'c.m = other\n' +
      'r.append(c.m(4))\n' +
      'del c.m\n' +
      'r.append(c.m(5))\n' +
      'c.z = lambda_free = other\n' +
      'd = D(a=1)\n' +
      'd.n = 2\n' +
      "r += [d.get2('a'), d.get('a', 0), d.get('q', 7), 'a,b'.split(','), 'ab'.upper(), (1, 2, 1).count(1), [3, 1].index(1)]\n" +
      'l = []\n' +
      'l.append(6)\n' +
      'l.extend([7])\n' +
      'r.append(l)\n' +
      'try:\n' +
      '  c.m()\n' +
      'except TypeError, e:\n' +
      '  r.append(str(e))\n' +
      'try:\n' +
      '  [].append()\n' +
      'except TypeError, e:\n' +
      '  r.append(str(e))\n' +
      'try:\n' +
      '  c.nope(1)\n' +
      'except AttributeError, e:\n' +
      '  r.append(str(e))\n' +
      'res = r\n'
    expect(compileRepy(src, 't.r2py')).toContain('$rt.instanceMethod(')
    // (CPython 2.7's repr of res)
    expect(exec(src)('res')).toBe(
      "[('m', 1), ('d', 1, 5), ('d', 1, 2), 'z', ('m', 3), ('other', 4), ('m', 5), 1, 1, 7, ['a', 'b'], 'AB', 2, 1, [6, 7], 'm() takes exactly 2 arguments (1 given)', 'append() takes exactly one argument (0 given)', \"'C' object has no attribute 'nope'\"]",
    )
  })
  it('one method call site follows every change of the classes and the instance it calls through', () => {
    const src =
      'class B(object):\n' +
      '  def m(self, x):\n' +
      "    return ('B', x)\n" +
      'class C(B):\n' +
      '  pass\n' +
      'class E:\n' +
      '  def m(self, x):\n' +
      "    return ('E', x)\n" +
      'class G(object):\n' +
      '  def m(self, x):\n' +
      '    t = 0\n' +
      '    for i in xrange(x):\n' +
      '      t += i\n' +
      "    return ('G', t)\n" +
      'def call(o, x):\n' +
      '  return o.m(x)\n' +
      'def other(self, x):\n' +
      "  return ('other', x)\n" +
      'def other2(self, x):\n' +
      "  return ('other2', x)\n" +
      'def inst(x):\n' +
      "  return ('inst', x)\n" +
      'c = C()\n' +
      'r = [call(c, 1), call(c, 2)]\n' +
      'C.m = other\n' +
      'r.append(call(c, 3))\n' +
      'B.m = other2\n' +
      'del C.m\n' +
      'r.append(call(c, 4))\n' +
      'c.m = inst\n' +
      'r.append(call(c, 5))\n' +
      'del c.m\n' +
      'r += [call(c, 6), call(E(), 7), call(c, 8), call(G(), 4), call(c, 9)]\n' +
      'del B.m\n' +
      'try:\n' +
      '  call(c, 10)\n' +
      'except AttributeError, e:\n' +
      '  r.append(str(e))\n' +
      'res = r\n'
    // (CPython 2.7's repr of res)
    expect(exec(src)('res')).toBe(
      "[('B', 1), ('B', 2), ('other', 3), ('other2', 4), ('inst', 5), ('other2', 6), ('E', 7), ('other2', 8), ('G', 6), ('other2', 9), \"'C' object has no attribute 'm'\"]",
    )
  })
  it('a function that cannot suspend is a plain function', () => {
    const src = 'def leaf(a, b):\n  if a:\n    raise ValueError, "bad"\n  return b\ndef gen(a):\n  return leaf(a, 2)\n'
    const js = compileRepy(src, 't.r2py')
    expect(js).toContain('function $f_leaf(a$, b$)')
    expect(js).toContain('function* $f_gen(a$)')
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the compiler's output, as the guest runtime's module loader does
    const factory = (new Function(`return ${js}`) as () => Factory)()
    const g = py.newDict()
    run(factory($rt)(g))
    const leaf = py.dictGet(g, 'leaf')
    expect($rt.call2(leaf, false, 7)).toBe(7)
    expect(py.call(leaf, [false, 8])).toBe(8)
    expect($rt.call1(py.dictGet(g, 'gen'), false)).toBeInstanceOf($rt.G)
    let tb: unknown
    try {
      run($rt.call1(py.dictGet(g, 'gen'), true))
    } catch (e) {
      tb = py.traceback(e)
    }
    expect(tb).toEqual([
      { file: 't.r2py', func: 'gen', line: 6 },
      { file: 't.r2py', func: 'leaf', line: 3 },
    ])
  })
})
