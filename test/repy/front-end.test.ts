import { describe, it, expect } from 'vitest'
import { compileRepy, RepyCodeError } from '../../src/repy/index.js'

function errorOf(src: string): RepyCodeError {
  try {
    compileRepy(src, 'test.r2py')
  } catch (e) {
    if (e instanceof RepyCodeError) return e
    throw e
  }
  throw new Error('expected a RepyCodeError')
}

function compiles(src: string): string {
  const js = compileRepy(src, 'test.r2py')
  // the text must be a syntactically valid JavaScript function expression
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling the text is the check; it is never called
  expect(() => new Function(`return ${js}`)).not.toThrow()
  return js
}

describe('Repy safety check: forbidden constructs', () => {
  const cases: Array<[string, string, number]> = [
    ['x = 1\nimport os\n', 'Import', 2],
    ['x = 1\n\nfrom os import path\n', 'From', 3],
    ['print "hi"\n', 'Printnl', 1],
    ['print "hi",\n', 'Print', 1],
    ['print >>f, 1\n', 'Printnl', 1],
    ['exec "x=1"\n', 'Exec', 1],
    ['def f():\n  global x\n', 'Global', 2],
    ['f = lambda x: x\n', 'Lambda', 1],
    ['y = sum(x for x in z)\n', 'GenExpr', 1],
    ['y = (x for x in z)\n', 'GenExpr', 1],
    ['def f():\n  yield 1\n', 'Yield', 2],
    ['with open("f") as g:\n  pass\n', 'With', 1],
    ['a = 1 if b else 2\n', 'IfExp', 1],
    ['a = `b`\n', 'Backquote', 1],
    ['@dec\ndef f(): pass\n', 'Decorators', 1],
    ['a = {1, 2}\n', 'Set', 1],
    ['a = {x for x in y}\n', 'SetComp', 1],
    ['a = {x: 1 for x in y}\n', 'DictComp', 1],
    ['x = 1\ndef f():\n  """doc"""\n  import os\n', 'Import', 4],
  ]
  for (const [src, what, line] of cases) {
    it(`rejects ${what}`, () => {
      const e = errorOf(src)
      expect(e.kind).toBe('unsafe')
      expect(e.line).toBe(line)
      expect(e.message).toBe(`Unsafe call '${what}' in line ${line}`)
    })
  }
  it('reports the first offending line', () => {
    expect(errorOf('x = 1\nimport a\nimport b\n').line).toBe(2)
  })
})

describe("Repy safety check: repy.py's text of the verdict", () => {
  // repy.py prints "Code failed safety check! Error: " and this: the check's line wrapped in a tuple's repr
  it('an unsafe construct', () => {
    expect(errorOf('x = 1\nimport os\n').repyText).toBe(
      "('<class \\'exception_hierarchy.CheckNodeException\\'> (\"Unsafe call \\'Import\\' in line 2\",)',)",
    )
  })
  it('an unsafe name', () => {
    expect(errorOf('__x = 1\n').repyText).toBe(
      "('<class \\'exception_hierarchy.CheckStrException\\'> " +
        "(\"Unsafe string \\'__x\\' in line 1, node attribute \\'name\\'\",)',)",
    )
  })
  it('a syntax error and an indentation error', () => {
    expect(errorOf('x = (1\n').repyText).toMatch(/^\("<type 'exceptions\.SyntaxError'> .* \(line \d\)",\)$/)
    expect(errorOf('x = 1\n  y = 2\n').repyText).toBe(
      '("<type \'exceptions.IndentationError\'> unexpected indent (line 2)",)',
    )
  })
})

describe('Repy safety check: string rule', () => {
  const cases: Array<[string, string, number, string]> = [
    ['x = 1\ny = x.__class__\n', '__class__', 2, 'attrname'],
    ['__foo = 1\n', '__foo', 1, 'name'],
    ['x = a__b\n', 'a__b', 1, 'name'],
    ['x = f_code\n', 'f_code', 1, 'name'],
    ['x = y.im_func\n', 'im_func', 1, 'attrname'],
    ['x = y.func_globals\n', 'func_globals', 1, 'attrname'],
    ['x = y.tb_frame\n', 'tb_frame', 1, 'attrname'],
    ['x = y.co_code\n', 'co_code', 1, 'attrname'],
    ['x = "a".encode("hex")\n', 'encode', 1, 'attrname'],
    ['decode = 1\n', 'decode', 1, 'name'],
    ['def __bad__(): pass\n', '__bad__', 1, 'name'],
    ['class __C: pass\n', '__C', 1, 'name'],
    ['f(__x=1)\n', '__x', 1, 'name'],
    ['for f_x in y: pass\n', 'f_x', 1, 'name'],
  ]
  for (const [src, name, line, attr] of cases) {
    it(`rejects ${name}`, () => {
      const e = errorOf(src)
      expect(e.kind).toBe('unsafe')
      expect(e.message).toBe(`Unsafe string '${name}' in line ${line}, node attribute '${attr}'`)
    })
  }
  it('rejects unicode literals', () => {
    expect(errorOf('x = 1\na = u"abc"\n').message).toBe("Unsafe string 'abc' in line 2, node attribute 'value'")
  })
  it('allows the special method names, parameter names and string contents', () => {
    compiles(
      'class A:\n  def __init__(self): pass\n  def __str__(self): return ""\n  def __repr__(self): pass\n' +
        '  def __iter__(self): pass\n  def __del__(self): pass\n',
    )
    compiles('def f(__a, f_b): return 1\n')
    compiles('x = "__class__ encode"\n')
  })
})

describe('syntax errors', () => {
  const cases: Array<[string, string]> = [
    ['import os\nx = (\n', 'unexpected EOF while parsing (line 2)'],
    ['if x:\npass\n', 'expected an indented block (line 2)'],
    ['x = 1\n  y = 2\n', 'unexpected indent (line 2)'],
    ['if x:\n    a = 1\n  b = 2\n', 'unindent does not match any outer indentation level (line 3)'],
    ['x = = 1\n', 'invalid syntax (line 1)'],
    ['x = 1\ny = 2 +\n', 'invalid syntax (line 2)'],
    ['x = "abc\n', 'EOL while scanning string literal (line 1)'],
    ['f() = 1\n', "can't assign to function call (line 1)"],
    ['return 1\n', "'return' outside function (line 1)"],
    ['break\n', "'break' outside loop (line 1)"],
    ['def f(a, a): pass\n', "duplicate argument 'a' in function definition (line 1)"],
    ['import os\nx = = 2\n', 'invalid syntax (line 2)'],
  ]
  for (const [src, msg] of cases) {
    it(msg, () => {
      const e = errorOf(src)
      expect(e.kind).toBe('syntax')
      expect(e.message).toBe(msg)
      expect(e.line).toBe(Number(/line (\d+)\)$/.exec(msg)![1]))
    })
  }
})

describe('accepted constructs compile to valid JavaScript', () => {
  const programs: Record<string, string> = {
    literals:
      'x = [0, 10, 0x1F, 0o17, 017, 0b101, 123L, 1.5, .5, 1e3, 1., 9007199254740993, -5, True, False, None]\n' +
      's = "a" \'b\' r"\\n" b"c" """t\nq""" \'\\x41\\101\\q\\\n\'\nt = ((), (1,), (1, 2), {}, {"a": 1,}, [1, 2,])\n',
    assignment:
      'a = b = [1, 2]\na[0] = 1\na[1:2] = [3]\na[::2] = [4]\no.x = 1\np, (q, r) = 1, (2, 3)\n[p, q] = q, p\n' +
      'x = 1; y = 2;\nx += 1\nx -= 1\nx *= 1\nx /= 1\nx //= 1\nx %= 1\nx **= 1\nx <<= 1\nx >>= 1\nx &= 1\nx |= 1\nx ^= 1\n' +
      'a[f()] += 1\no.x += 1\na[1:2] += [1]\ndel a[0], a[1:2], o.x\ndel x, (y, p)\nlong = (1 +\n  2) + \\\n  3\n',
    control:
      'if x: pass\nelif y: x = 2\nelse: x = 3\nwhile x < 10:\n  x += 1\n  if x == 3: continue\n  if x == 8: break\n' +
      'else:\n  x = 0\nfor i in range(3):\n  pass\nelse:\n  pass\nfor k, (v, w) in d: pass\n',
    expressions:
      'z = (a and b or not c, a < b < c, a is None, a is not None, a in b, a not in b, a <> b, -a, +a, ~a)\n' +
      'z = a + b - c * d / e // f % g ** h << i >> j & k | l ^ m\n' +
      'z = f(1, k=2, *a, **b), o.m(1), o.m(1, k=2), a[1], a[1:2], a[::2], a[:], d[1, 2]\n' +
      'z = [i * j for i in range(3) for j in range(3) if i if j]\nz = [i for i in 1, 2]\n',
    functions:
      'def f(a, b=2, *args, **kw):\n  """doc"""\n  def g(y):\n    return a + y\n  return g\n' +
      'def h(): return\ndef arguments(eval, let, yield_, this, new): return eval + let\n',
    classes:
      'class A:\n  """doc"""\n  n = 0\n  n += 1\n  def __init__(self, v):\n    self.v = v\nclass B(A, object):\n  pass\nclass C(): pass\n',
    exceptions:
      'try:\n  raise ValueError\nexcept ValueError:\n  pass\nexcept (KeyError, TypeError), e:\n  raise\n' +
      'except IndexError as e:\n  raise ValueError, "x"\nexcept:\n  raise ValueError("x")\nelse:\n  pass\nfinally:\n  pass\n' +
      'try:\n  pass\nfinally:\n  pass\nassert x\nassert x, "msg"\nraise E, v, tb\n',
  }
  for (const [name, src] of Object.entries(programs)) {
    it(name, () => {
      compiles(src)
    })
  }
  it('accepts CRLF line endings', () => {
    compiles('x = 1\r\nif x:\r\n  y = 2\r\n')
  })

  it('emits plain runtime calls for the benchmark loop', () => {
    const js = compiles('def f():\n  total = 0\n  for i in xrange(3000000):\n    total += i*i\n  return total\n')
    // xrange counted inline in a copy of the loop where i is known to be a JS number: no type test of i there; the
    // body calls nothing, so the numbers come in chunks of 16, one budget spend a chunk, the counter running through
    // the chunk itself; a range within 2**26 has a copy of its own where i * i needs no range test
    expect(js).toContain(
      [
        'if ($a3 === null && $a2 >= -67108864 && $a2 + $a1 <= 67108864) {',
        '              for (;;) {',
        '                if ($a1 <= 0) break;',
        '                if (($rt.budget -= 16) < 0) yield 0;',
        '                $a5 = $a1 < 16 ? $a1 : 16; $a1 -= $a5;',
        '                for (i$ = $a2, $a5 += $a2; i$ < $a5; i$++) {',
        '                  $a7 = (i$ * i$);',
        '                  if (($a8 = total$d + $a7) <= 9007199254740991) total$d = $a8;',
      ].join('\n'),
    )
    // after a chunk the counter holds its last number, as Python leaves it
    expect(js).toContain('}\n                $a2 = i$--;\n              }\n            } else if ($a3 === null) {')
    // a larger range tests the square
    expect(js).toContain(
      'for (i$ = $a2, $a6 += $a2; i$ < $a6; i$++) {\n                  if (($a7 = i$ * i$) <= 9007199254740991) {',
    )
    // the copy fed by the call's iterator (xrange shadowed) tests it
    expect(js).toContain(
      'i$ = $a4;\n                if (typeof i$ === "number" && ($a7 = i$ * i$) <= 9007199254740991) {',
    )
    // total is a sum: the square's fast path adds a known non-negative number to total$d with no type test, one bound
    expect(js).toContain('if (($a8 = total$d + $a7) <= 9007199254740991) total$d = $a8;')
    // beyond it, the runtime adds, and total$d is a number again only if total is an int
    expect(js).toContain('else { $l = 4; total$ = $rt.iadd((total$d === 0 || total$d !== total$d ? total$ :')
    expect(js).toContain('total$d = typeof total$ === "number" || typeof total$ === "bigint" ? 0 : NaN; }')
    // an int literal makes total an int at once; unbound, it is not
    expect(js).toContain('total$ = 0; total$d = 0;')
    expect(js).toContain('total$, i$, total$d = NaN;')
    // the line is set only on the paths that can raise
    expect(js).toContain('$l = 4; $a9 = $rt.mul(i$, i$);')
    expect(js).not.toMatch(/^\s*\$l = 4;$/m)
    expect(js).toContain('$rt.rangeN($a0, 0, 3000000, 1)')
    expect(js).toContain('if (--$rt.budget < 0) yield 0')
    // a while loop that calls nothing counts its back-edges locally and spends the budget 16 at a time
    const counting = compiles('def f(n, s):\n  while n > 0:\n    n -= 1\n    s = s + [n]\n')
    expect(counting).toContain(
      'while (true) {\n            if (--$b < 0) { $b = 15; if (($rt.budget -= 16) < 0) yield 0; }',
    )
    // a loop that calls something gives way at its first back-edge after the call
    const calling = compiles('def f(n):\n  while n:\n    n = g(n)\n')
    expect(calling).toContain('while (true) {\n            if (--$rt.budget < 0) yield 0;')
    expect(calling).not.toContain('$b')
  })
  it('runs a while loop of int arithmetic on locals in a copy with no type tests while its locals stay small', () => {
    const js = compiles(
      'def add(a, b):\n  return a + b\n\ndef f(n):\n  x = 0\n  i = 0\n  while i < n:\n    x = add(x, i)\n    i += 1\n  return x\n',
    )
    // entered when the locals are numbers and `add` still holds the module's def
    expect(js).toContain(
      'if (typeof x$ === "number" && typeof i$ === "number" && typeof n$ === "number" && $G.m.get("add") === $P0) {',
    )
    // x + i must stay exact for x, i up to the bound: 2 * 2**51 < 2**53
    expect(js).toContain(
      'if (!(x$ <= 2251799813685248 && x$ >= -2251799813685248 && i$ <= 2251799813685248 && i$ >= -2251799813685248)) break;',
    )
    // the call is inlined, the arithmetic plain JavaScript
    expect(js).toContain('if (!(i$ < n$)) break;\n                x$ = ((x$) + (i$));\n                i$ = (i$ + 1);')
    // after the thread gave way the function is looked up again; the ordinary loop follows, in the same block
    expect(js).toContain('yield 0; if (!($G.m.get("add") === $P0)) break; } }')
    expect(js).toMatch(/\$N0: \{[\s\S]*\n {12}while \(true\) \{[\s\S]*\$rt\.call2/)
    // a break leaves both copies; the bound of a product is the square root's
    const product = compiles('def f(x, n):\n  while n:\n    x = x * x\n    if x > 9: break\n    n -= 1\n')
    expect(product).toContain('x$ <= 67108864 && x$ >= -67108864')
    expect(product).toContain('break $N0;')
    // anything but int arithmetic on locals keeps the ordinary loop alone
    for (const body of ['x = x + y', 'x = x / 2', 'x = g(x)', 'x = [x]', 'x = x ** 2', 'del x', 'x = True'])
      expect(compiles(`def f(x, n):\n  while n:\n    n -= 1\n    ${body}\n`)).not.toContain('$N0')
  })
  it('sets the line only on the slow path where nothing else in the statement can raise', () => {
    const js = compiles(
      'def f(a, n):\n  i = 0\n  while i < n:\n    i += 1\n    a = a * i\n    a = g(a) + 1\n  return a - n\n',
    )
    expect(js).toContain('typeof i$ === "number" && typeof n$ === "number" ? i$ < n$ : ($l = 3, $rt.lt(i$, n$))')
    // a literal increment keeps a plain int (no sum and its second variable)
    expect(js).toContain(
      'i$ = (typeof i$ === "number" && ($a0 = i$ + 1) <= 9007199254740991 ? $a0 : ($l = 4, $rt.iadd(i$, 1)));',
    )
    expect(js).not.toContain('i$d')
    expect(js).toContain(': ($l = 5, $rt.mul(a$, i$))')
    expect(js).toContain(': ($l = 7, $rt.sub(a$, n$))')
    for (const line of [4, 5, 7]) expect(js).not.toMatch(new RegExp(`^\\s*\\$l = ${line};$`, 'm'))
    // the while statement's own line, before the loop, not at each test
    expect(js.match(/^\s*\$l = 3;$/gm)).toHaveLength(1)
    // a call can raise too: the line is set before the statement
    expect(js).toMatch(/^\s*\$l = 6;$/m)
    // a global operand can raise NameError when read
    expect(compiles('def f(a):\n  return a + b\n')).toMatch(/^\s*\$l = 2;$/m)
  })
  it('emits inline fast paths only where they keep each operand evaluated once', () => {
    const js = compiles(
      'def f(a, b):\n  x = g(a) + b\n  y = a < g(b) <= 5\n  z = -g(a)\n  w = a * -3\n  v = a * 3\n  if a: pass\n  return a + 1\n',
    )
    expect(js).toContain('x$ = ($a0 = (($t = $rt.call1(') // g(a) once, into a temp
    expect(js).toContain('typeof $a0 === "number" && typeof b$ === "number"')
    expect(js).toContain('a$ * (-3) + 0') // 0 * -3 is -0
    expect(js).toContain('a$ * 3) <=')
    expect(js).toContain('(a$ === true || a$ !== false && $rt.truth(a$))')
    // only the runtime call can raise: it sets the line itself
    expect(js).toContain(
      'return (typeof a$ === "number" && ($a0 = a$ + 1) <= 9007199254740991 ? $a0 : ($l = 8, $rt.add(a$, 1)));',
    )
    // a leaf function (no call, loop or comprehension) is a plain function; a caller is a generator
    expect(compiles('def f(a):\n  return a.x + 1\n')).toContain('function $f_f(a$)')
    // its work is bounded: it has no preemption point of its own (the one left is the module body's)
    expect(compiles('def f(a):\n  return a.x + 1\n').match(/budget/g)).toHaveLength(1)
    expect(compiles('def f(a):\n  while a: pass\n')).toContain('function* $f_f(a$)')
  })
  it('emits BigInt literals beyond the safe range and hoists floats', () => {
    const js = compiles('x = 12345678901234567890\ny = 1.5\n')
    expect(js).toContain('12345678901234567890n')
    expect(js).toContain('$rt.float(1.5)')
  })
})
