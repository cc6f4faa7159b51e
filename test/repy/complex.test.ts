// Complex numbers in Repy programs, against CPython 2.7.18: each expression is compiled and run as a Repy program
// would run it (src/repy/guest/complex.ts and the operators, formatting and comparisons that take complex values),
// and its repr (or the exception it raises) must be what CPython 2.7 prints.
import { describe, expect, it } from 'vitest'
import { createRuntime } from '../../src/repy/guest/runtime.js'
import { compileRepy } from '../../src/repy/index.js'

const py = createRuntime({ onCatch() {} })
type Factory = (rt: unknown) => (g: unknown) => unknown

/** The repr of each expression's value, or "ExceptionName: message" for what it raises. */
function evaluate(exprs: string[]): string[] {
  const src = exprs
    .map(
      (e, i) =>
        `try:\n  r${i} = repr(${e})\nexcept Exception, e:\n  r${i} = str(type(e)).split('.')[-1][:-2] + ': ' + str(e)\n`,
    )
    .join('')
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the compiler's output, as the guest runtime's module loader does
  const factory = (new Function(`return ${compileRepy(src, 't.r2py')}`) as () => Factory)()
  const g = py.newDict()
  py.runSync(factory(py.rt)(g))
  return exprs.map((_, i) => py.dictGet(g, `r${i}`) as string)
}

function check(cases: [string, string][]): void {
  const got = evaluate(cases.map(([e]) => e))
  expect(cases.map(([e], i) => [e, got[i]])).toEqual(cases)
}

describe('complex numbers as CPython 2.7 has them', () => {
  it('imaginary literals, repr and str', () => {
    check([
      ['5j', '5j'],
      ['-5j', '-5j'],
      ['-(5j)', '(-0-5j)'],
      ['1.5e3j', '1500j'],
      ['0j', '0j'],
      ['-0j', '-0j'],
      ['1j%0', 'ZeroDivisionError: complex remainder'],
      ['(7+3j)%(2+1j)', '(1+0j)'],
      ['str(1+2j)', "'(1+2j)'"],
      ['str(complex(0.1+0.2, 1.0/3))', "'(0.3+0.333333333333j)'"],
      ['repr(complex(0.1+0.2, 1.0/3))', "'(0.30000000000000004+0.3333333333333333j)'"],
      ['str(complex(1e16, 2))', "'(1e+16+2j)'"],
      ['str(complex(123456789012345, 2))', "'(1.23456789012e+14+2j)'"],
      ["'%s %r' % (1j, 2j)", "'1j 2j'"],
      ["'%d' % 1j", 'TypeError: %d format: a number is required, not complex'],
      ["'%f' % 1j", 'TypeError: float argument required, not complex'],
      ["'%s' % complex(1, 2)", "'(1+2j)'"],
      ['- 5j', '-5j'],
      ['--5j', '(-0+5j)'],
      ['-0j', '-0j'],
      ['-(0j)', '(-0-0j)'],
      ['1e400j', 'infj'],
      ['str(-0j)', "'-0j'"],
      ['repr(0.5j)', "'0.5j'"],
      ['str(complex(1e-5, 1e-20))', "'(1e-05+1e-20j)'"],
      ['str(complex(1.5, 100000000000))', "'(1.5+100000000000j)'"],
      ['str(complex(1, 1e12))', "'(1+1e+12j)'"],
      ['3 % 1j', '(3+0j)'],
    ])
  })
  it('arithmetic with ints, longs, floats and complex', () => {
    check([
      ['1+2j', '(1+2j)'],
      ['1-2j', '(1-2j)'],
      ['(1+2j)*(3-4j)', '(11+2j)'],
      ['(1+2j)/(3-4j)', '(-0.2+0.4j)'],
      ['(1+2j)-(1+2j)', '0j'],
      ['1j/0', 'ZeroDivisionError: complex division by zero'],
      ['1j/0.0', 'ZeroDivisionError: complex division by zero'],
      ['1j/0j', 'ZeroDivisionError: complex division by zero'],
      ['1/0j', 'ZeroDivisionError: complex division by zero'],
      ['1j//0', 'ZeroDivisionError: complex divmod()'],
      ['divmod(1j, 0)', 'ZeroDivisionError: complex divmod()'],
      ['divmod(5+3j, 2)', '((2+0j), (1+3j))'],
      ['(7+3j)//(2+1j)', '(3+0j)'],
      ['1j**2', '(-1+0j)'],
      ['1j**-1', '-1j'],
      ['0j**-1', 'ZeroDivisionError: 0.0 to a negative or complex power'],
      ['0j**1j', 'ZeroDivisionError: 0.0 to a negative or complex power'],
      ['0j**0', '(1+0j)'],
      ['(1+2j)**0.5', '(1.272019649514069+0.7861513777574233j)'],
      ['2**(1j)', '(0.7692389013639721+0.6389612763136348j)'],
      ['(1+1j)**200', '(1.2676506002282469e+30+1245078004707398.5j)'],
      ['(1+1j)**1000', '(3.273390607896366e+150-2.6303055750020937e+137j)'],
      ['10.0**400j', '(-0.8538859887580265-0.5204601024120173j)'],
      ['(1e300+1e300j)**2', '(nan+nanj)'],
      ['pow(1j, 2)', '(-1+0j)'],
      ['pow(1j, 2, 3)', 'ValueError: complex modulo'],
      ['abs(3+4j)', '5.0'],
      ['abs(1e308+1e308j)', '1.4142135623730951e+308'],
      ["abs(complex(float('inf'), float('nan')))", 'inf'],
      ['-(1+2j)', '(-1-2j)'],
      ['+(1+2j)', '(1+2j)'],
      ['~(1j)', "TypeError: bad operand type for unary ~: 'complex'"],
      ['(1j).real', '0.0'],
      ['(1j).imag', '1.0'],
      ['(1+2j).conjugate()', '(1-2j)'],
      ['complex.conjugate(5)', "TypeError: descriptor 'conjugate' requires a 'complex' object but received a 'int'"],
      ['(5).real', '5'],
      ['(5).imag', '0'],
      ['(5.5).imag', '0.0'],
      ['True.real', '1'],
      ['complex', "<type 'complex'>"],
      ["'ab' * 1j", "TypeError: can't multiply sequence by non-int of type 'complex'"],
      ['[1] * 1j', "TypeError: can't multiply sequence by non-int of type 'complex'"],
      ["1j + 'a'", "TypeError: unsupported operand type(s) for +: 'complex' and 'str'"],
      ["'a' + 1j", "TypeError: cannot concatenate 'str' and 'complex' objects"],
      ['1j + None', "TypeError: unsupported operand type(s) for +: 'complex' and 'NoneType'"],
      ['sum([1j, 2, 3.5])', '(5.5+1j)'],
      ['1j + 10**400', 'OverflowError: long int too large to convert to float'],
      ['1j * True', '1j'],
      ['True * 1j', '1j'],
      ['1j - 2**70', '(-1.1805916207174113e+21+1j)'],
      ['(2**70) + 1j', '(1.1805916207174113e+21+1j)'],
      ['-5j**2', '(25-0j)'],
      ['-5j.imag', '-5.0'],
      ['1j * 1e308 * 10', 'infj'],
      ['abs(-0j)', '0.0'],
      ['1j ** 2.0', '(-1+0j)'],
      ['(1j) ** (2+0j)', '(-1+0j)'],
      ['(-8) ** (1.0/3)', 'ValueError: negative number cannot be raised to a fractional power'],
      ['(-8+0j) ** (1.0/3)', '(1.0000000000000002+1.7320508075688772j)'],
      ['3 // 1j', '0j'],
      ['divmod(1j, 1j)', '((1+0j), 0j)'],
    ])
  })
  it('complex(), its string syntax and conversions', () => {
    check([
      ['complex(-0.0, -1)', '(-0-1j)'],
      ['complex(-0.0, 0.0)', '(-0+0j)'],
      ['complex(0.0, -0.0)', '-0j'],
      ['complex(1e16, 1e-5)', '(1e+16+1e-05j)'],
      ["complex(float('nan'), float('inf'))", '(nan+infj)'],
      ["complex(1, float('-nan'))", '(1+nanj)'],
      ["complex(1, -float('inf'))", '(1-infj)'],
      ['complex()', '0j'],
      ['complex(1)', '(1+0j)'],
      ['complex(1, 2)', '(1+2j)'],
      ['complex(1.5, 2.5)', '(1.5+2.5j)'],
      ['complex(1j, 1j)', '(-1+1j)'],
      ['complex(1+2j, 3+4j)', '(-3+5j)'],
      ['complex(True, False)', '(1+0j)'],
      ['complex(10**20)', '(1e+20+0j)'],
      ['complex(10**400)', 'OverflowError: long int too large to convert to float'],
      ["complex('1+2j')", '(1+2j)'],
      ["complex('  (1+2j)  ')", '(1+2j)'],
      ["complex('( 1+2j )')", '(1+2j)'],
      ["complex('1e3')", '(1000+0j)'],
      ["complex('-1.5e-3j')", '-0.0015j'],
      ["complex('j')", '1j'],
      ["complex('-j')", '-1j'],
      ["complex('+J')", '1j'],
      ["complex('1-j')", '(1-1j)'],
      ["complex('inf+nanj')", '(inf+nanj)'],
      ["complex('-infinity-1j')", '(-inf-1j)'],
      ["complex('')", 'ValueError: complex() arg is a malformed string'],
      ["complex('1+')", 'ValueError: complex() arg is a malformed string'],
      ["complex('1+2')", 'ValueError: complex() arg is a malformed string'],
      ["complex('1 + 2j')", 'ValueError: complex() arg is a malformed string'],
      ["complex('(1+2j')", 'ValueError: complex() arg is a malformed string'],
      ["complex('1+2j)')", 'ValueError: complex() arg is a malformed string'],
      ["complex('1j2')", 'ValueError: complex() arg is a malformed string'],
      ["complex('abc')", 'ValueError: complex() arg is a malformed string'],
      ["complex('1+2j', 3)", "TypeError: complex() can't take second arg if first is a string"],
      ["complex(1, '2')", "TypeError: complex() second arg can't be a string"],
      ['complex(None)', 'TypeError: complex() argument must be a string or a number'],
      ['complex([1])', 'TypeError: complex() argument must be a string or a number'],
      ['complex(1, None)', 'TypeError: complex() argument must be a string or a number'],
      ['complex(1, 2, 3)', 'TypeError: complex() takes at most 2 arguments (3 given)'],
      ['complex(real=1, imag=2)', '(1+2j)'],
      ['complex(imag=2)', '2j'],
      ['complex(1, real=2)', "TypeError: Argument given by name ('real') and position (1)"],
      ['complex(x=1)', "TypeError: 'x' is an invalid keyword argument for this function"],
      ['float(1j)', "TypeError: can't convert complex to float"],
      ['int(1j)', "TypeError: can't convert complex to int"],
      ['long(1j)', "TypeError: can't convert complex to long"],
      ['round(1j)', "TypeError: can't convert complex to float"],
      ['complex(1, 0) == 1', 'True'],
      ['complex(1, 0) == 1.0', 'True'],
      ['complex(1, 0) == True', 'True'],
      ['complex(2**53, 0) == 2**53 + 1', 'False'],
      ['complex(2**53, 0) == 2**53', 'True'],
      ["complex(' 1 ')", '(1+0j)'],
      ["complex('1\\n')", '(1+0j)'],
      ["complex('\\t-2.5J ')", '-2.5j'],
      ["complex('(j)')", '1j'],
      ["complex('()')", 'ValueError: complex() arg is a malformed string'],
      ["complex('1e5j')", '100000j'],
      ["complex('.5-.5j')", '(0.5-0.5j)'],
      ["complex('5.-3.e2j')", '(5-300j)'],
      ["complex('nanj')", 'nanj'],
      ["complex('1+infj')", '(1+infj)'],
      ["complex('1+in')", 'ValueError: complex() arg is a malformed string'],
    ])
  })
  it('comparisons, hashing, truth and types', () => {
    check([
      ['1j == 1j', 'True'],
      ['1j == 2j', 'False'],
      ['1 == complex(1, 0)', 'True'],
      ['1j != 1j', 'False'],
      ["1j == 'a'", 'False'],
      ['1j < 2j', 'TypeError: no ordering relation is defined for complex numbers'],
      ['1j < 1', 'TypeError: no ordering relation is defined for complex numbers'],
      ['1 < 1j', 'TypeError: no ordering relation is defined for complex numbers'],
      ['1.0 >= 1j', 'TypeError: no ordering relation is defined for complex numbers'],
      ["1j < 'a'", 'True'],
      ['1j < None', 'False'],
      ['cmp(1j, 1j)', '0'],
      ['cmp(1j, 2j)', 'TypeError: no ordering relation is defined for complex numbers'],
      ["cmp(1j, 'a')", '-1'],
      ['max(1j, 2j)', 'TypeError: no ordering relation is defined for complex numbers'],
      ['type(1j)', "<type 'complex'>"],
      ['type(1j) is complex', 'True'],
      ['isinstance(1j, complex)', 'True'],
      ['isinstance(1, complex)', 'False'],
      ['bool(0j)', 'False'],
      ['bool(1j)', 'True'],
      ['bool(complex(0, -0.0))', 'False'],
      ["{1: 'a'}[complex(1, 0)]", "'a'"],
      ["{1j: 'a'}[1j]", "'a'"],
      ['len(set([1j, 1j, complex(0, 1), 1, 1.0, complex(1, 0)]))', '2'],
      ['1j in [2, 1j]', 'True'],
      ['[1j, 2j].index(2j)', '1'],
      ['[2j, 1j].sort()', 'TypeError: no ordering relation is defined for complex numbers'],
      ["'{0} {1!r}'.format(1j, 2j)", "'1j 2j'"],
      ['{(1, 1j): 2}[(1.0, 1j)]', '2'],
      ['isinstance(1j, (int, float))', 'False'],
      ['[x*1j for x in range(3)]', '[0j, 1j, 2j]'],
      ["min(1j, 'a')", '1j'],
    ])
  })
  it('-5j is one literal but -(5j) negates 5j', () => {
    const js = compileRepy('a = -5j\nb = -(5j)\n', 't.r2py')
    expect(js).toContain('$rt.complex(0, -5)')
    expect(evaluate(['-5j', '-(5j)', '-5j**2'])).toEqual(['-5j', '(-0-5j)', '(25-0j)'])
  })
})
