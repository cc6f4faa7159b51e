// createvirtualnamespace(code, name) and evaluate(context) (docs/REPY.md, 'Virtual namespaces'). The code itself is
// in each front end's own language, so most cases have different text; the outcomes differ where docs/REPY.md says
// they do (what the code sees, which contexts are refused and with what, Repy's safety check and SafeDict).
import { c, jsOnly, ok, pyOnly, raises, step, type Area, type Item } from '../case.js'

const ARG = raises('RepyArgumentError')
const CV = 'createvirtualnamespace'
const SAFETY = "Repy's static safety check; JavaScript code is only checked for compiling"
const SAFEDICT = 'SafeDict exists only in Repy programs'

/** [label, JavaScript args, Repy args] of refused createvirtualnamespace calls. */
const BAD_CREATES: Array<[string, string, string]> = [
  ['code a number', "5, 'n'", '5, "n"'],
  ['code null', "null, 'n'", 'None, "n"'],
  ['code a list', "['x = 1'], 'n'", '["x = 1"], "n"'],
  ['name a number', "'x = 1', 5", '"x = 1", 5'],
  ['name null', "'x = 1', null", '"x = 1", None'],
  ['name a list', "'x = 1', ['n']", '"x = 1", ["n"]'],
  ['one argument', "'x = 1'", '"x = 1"'],
  ['three arguments', "'x = 1', 'n', 'n'", '"x = 1", "n", "n"'],
]

/** [label, JavaScript code, Repy code] that does not compile or parse. */
const SYNTAX: Array<[string, string, string]> = [
  ['an incomplete expression', 'x = 1 +', 'x = = 1'],
  ['unbalanced braces', '}{', 'x = (1'],
  ['an unterminated string', "x = 'unterminated", "x = 'unterminated"],
  ['a bad definition', 'function f( {', 'def f(:\n  pass'],
]

const UNSAFE = [
  'import os',
  'from os import path',
  'x = (1).__class__',
  '__x = 1',
  'f = lambda: 1',
  "exec 'x = 1'",
  "print 'x'",
  'global x',
  'def g():\n  yield 1',
  'x = 1 if True else 2',
  'x = `1`',
  "x = u'unicode'",
  'x = (1).func_name',
  "x = 'a'.encode",
  'with x:\n  pass',
  'x = (i for i in [1])',
]

const UNSAFE_KEYS = ['__x', 'a__b', 'encode', 'decode', 'func_code', 'im_self', 'tb_frame', 'f_locals', 'co_code']

const items: Item[] = [
  ...BAD_CREATES.map(([label, js, py]) => c(`${CV} refuses ${label}`, `${CV}(${js})`, `${CV}(${py})`, ARG)),
  ...SYNTAX.map(([label, js, py]) =>
    c(
      `${CV} refuses ${label}`,
      `${CV}(${JSON.stringify(js)}, 'bad')`,
      `${CV}(${JSON.stringify(py)}, "bad")`,
      raises('CodeUnsafeError'),
    ),
  ),
  c(
    'CodeUnsafeError names the namespace',
    "try {\n  createvirtualnamespace('}{', 'the-name')\n} catch (e) {\n  return e.message.includes('the-name')\n}",
    {
      code: 'try:\n  createvirtualnamespace("x = (1", "the-name")\nexcept CodeUnsafeError, e:\n  return "the-name" in str(e)',
      expect: ok(false),
      why: "Repy's message is repy_v2's, which names the error but not the namespace",
    },
    ok(true),
  ),
  ...UNSAFE.map((code) =>
    pyOnly(
      `unsafe code: ${JSON.stringify(code)}`,
      `${CV}(${JSON.stringify(code)}, "unsafe")`,
      raises('CodeUnsafeError'),
      SAFETY,
    ),
  ),
  pyOnly(
    'a string literal holding __',
    `${CV}("x = '__init__ and __class__'", "ok").evaluate({})["x"]`,
    ok('__init__ and __class__'),
    SAFETY,
  ),
  c(
    'an empty program',
    `Object.keys(${CV}('', 'empty').evaluate({}))`,
    `${CV}("", "empty").evaluate({}).keys()`,
    ok([]),
  ),
  step(`const ns = ${CV}('result = value + 1', 'add one')`, `ns = ${CV}("result = value + 1", "add one")`),
  c(
    'evaluate runs the code in the context',
    'ns.evaluate({ value: 41 }).result',
    'ns.evaluate({"value": 41})["result"]',
    ok(42),
  ),
  c(
    'the context after evaluate',
    'const ctx = { value: 1 }\nns.evaluate(ctx)\nreturn ctx',
    {
      code: 'ctx = {"value": 1}\nns.evaluate(ctx)\nreturn ctx',
      expect: ok({ value: 1 }),
      why: 'Repy copies a dict context into a new SafeDict and leaves the dict unchanged',
    },
    ok({ value: 1, result: 2 }),
  ),
  c(
    'evaluate returns its context',
    'const ctx = { value: 1 }\nreturn ns.evaluate(ctx) === ctx',
    {
      code: 'ctx = {"value": 1}\nreturn ns.evaluate(ctx) is ctx',
      expect: ok(false),
      why: 'Repy returns the new SafeDict a dict context was copied into',
    },
    ok(true),
  ),
  c(
    'evaluate without a context',
    'ns.evaluate()',
    { code: 'ns.evaluate()', expect: ARG, why: "Repy's wrong argument count" },
    raises('ContextUnsafeError'),
  ),
  c('evaluate with two contexts', 'ns.evaluate({}, {})', 'ns.evaluate({}, {})', ARG),
  ...(
    [
      ['a number', '5', '5'],
      ['null', 'null', 'None'],
      ['a list', '[]', '[("value", 1)]'],
      ['a string', "'context'", '"context"'],
    ] as const
  ).map(([label, js, py]) =>
    c(
      `evaluate refuses ${label} as the context`,
      `ns.evaluate(${js})`,
      {
        code: `ns.evaluate(${py})`,
        expect: ARG,
        why: "Repy's type check wants a dict (JavaScript: ContextUnsafeError for a non-object)",
      },
      raises('ContextUnsafeError'),
    ),
  ),
  ...UNSAFE_KEYS.map((key) =>
    pyOnly(
      `evaluate refuses the key ${key}`,
      `ns.evaluate({"${key}": 1, "value": 1})`,
      raises('ContextUnsafeError'),
      "Repy's name rule for context keys; a JavaScript context is any object",
    ),
  ),
  ...(['123', 'None', '(1,)'] as const).map((key) =>
    pyOnly(
      `evaluate refuses the key ${key}`,
      `ns.evaluate({${key}: 1, "value": 1})`,
      raises('ContextUnsafeError'),
      'keys that are not strings exist only in Python dicts',
    ),
  ),
  pyOnly(
    'an allowed __init__ key',
    'ns.evaluate({"__init__": 1, "value": 1})["result"]',
    ok(2),
    "Repy's name rule allows a few double-underscore names",
  ),
  // what the code sees
  c(
    'the builtins are there',
    `${CV}('n = Math.max(1, 3)', 'builtins').evaluate({}).n`,
    `${CV}("n = len([1, 2, 3])", "builtins").evaluate({})["n"]`,
    ok(3),
  ),
  c(
    'the API without being given',
    `typeof ${CV}('t = getruntime()', 'api').evaluate({}).t`,
    {
      code: `${CV}("t = getruntime()", "api").evaluate({})`,
      expect: raises('NameError'),
      why: 'a Repy namespace sees only its context and the builtins; JavaScript names fall through to the API',
    },
    ok('number'),
  ),
  c(
    'the API when given',
    `typeof ${CV}('t = getruntime()', 'api').evaluate({ getruntime }).t`,
    `t = ${CV}("t = getruntime()", "api").evaluate({"getruntime": getruntime})["t"]\nif type(t) is float:\n  return "number"\nreturn repr(type(t))`,
    ok('number'),
  ),
  c(
    'an unknown name',
    `${CV}('z = nothere + 1', 'n').evaluate({})`,
    {
      code: `${CV}("z = nothere + 1", "n").evaluate({})`,
      expect: raises('NameError'),
      why: "Python's error for an unknown name",
    },
    raises('ReferenceError'),
  ),
  c(
    'a type error inside',
    `${CV}('null.f', 'n').evaluate({})`,
    `${CV}("x = 1 + 'a'", "n").evaluate({})`,
    raises('TypeError'),
  ),
  pyOnly(
    'an exception inside reaches the caller',
    `${CV}("{}['missing']", "raises").evaluate({})`,
    raises('KeyError'),
    'KeyError is a Python exception; JavaScript has no such class',
  ),
  c(
    'a Repy exception raised inside',
    `${CV}('throw new FileError("from inside")', 'n').evaluate({})`,
    `${CV}("raise FileError('from inside')", "n").evaluate({"FileError": FileError})`,
    raises('FileError'),
  ),
  c(
    'an API error inside',
    `${CV}('openfile("missing", false)', 'n').evaluate({})`,
    `${CV}("openfile('missing', False)", "n").evaluate({"openfile": openfile})`,
    raises('FileNotFoundError'),
  ),
  c(
    'a namespace made inside a namespace',
    `${CV}("inner = make('x = 5', 'inner').evaluate({}).x", 'outer').evaluate({ make: ${CV} }).inner`,
    `${CV}("inner = make('x = 5', 'inner').evaluate({})['x']", "outer").evaluate({"make": ${CV}})["inner"]`,
    ok(5),
  ),
  jsOnly(
    'the handle',
    'Object.prototype.toString.call(ns)',
    ok('[object VirtualNamespace]'),
    'Symbol.toStringTag is JavaScript',
  ),
  jsOnly(
    'names assigned do not leak to the program',
    `${CV}('leaked = 1', 'n').evaluate({})\nreturn typeof leaked`,
    ok('undefined'),
    'a Repy namespace cannot reach the program globals at all (see the API case above)',
  ),
  jsOnly(
    'nothing of the host',
    "const ctx = {}\ncreatevirtualnamespace('p = typeof globalThis.process; q = typeof globalThis.require', 'n').evaluate(ctx)\nreturn [ctx.p, ctx.q]",
    ok(['undefined', 'undefined']),
    'globalThis is JavaScript; a Repy namespace sees only its context and the builtins',
  ),
  // SafeDict
  step('', 'shared = SafeDict()\nshared["value"] = 1\nreturned = ns.evaluate(shared)'),
  pyOnly('a SafeDict context is used in place', '[returned is shared, shared["result"]]', ok([true, 2]), SAFEDICT),
  pyOnly('evaluate gives a SafeDict for a dict', 'isinstance(ns.evaluate({"value": 1}), SafeDict)', ok(true), SAFEDICT),
  pyOnly(
    'state kept across evaluations of a SafeDict',
    'counter = createvirtualnamespace("if \'n\' in _ns:\\n  n = n + 1\\nelse:\\n  n = 1\\n", "counter")\nstate = SafeDict({"_ns": None})\nstate["_ns"] = state\nfor i in range(3):\n  counter.evaluate(state)\nreturn state["n"]',
    ok(3),
    SAFEDICT,
  ),
  pyOnly('SafeDict from a dict', 'SafeDict({"a": 1})["a"]', ok(1), SAFEDICT),
  step('', 'guarded = SafeDict()'),
  pyOnly('a SafeDict key that is not a string', 'guarded[1] = 1\nreturn None', raises('TypeError'), SAFEDICT),
  pyOnly('a SafeDict key with __', 'guarded["__x"] = 1\nreturn None', raises('ValueError'), SAFEDICT),
  pyOnly('a SafeDict key named encode', 'guarded["encode"] = 1\nreturn None', raises('ValueError'), SAFEDICT),
  pyOnly('reading a SafeDict key with __', 'guarded["__builtins__"]', raises('ValueError'), SAFEDICT),
  pyOnly('testing a SafeDict key that is not a string', '2 in guarded', raises('TypeError'), SAFEDICT),
  pyOnly('updating a SafeDict with a non-string key', 'guarded.update({4: 5})', raises('TypeError'), SAFEDICT),
  pyOnly('a SafeDict from a dict with a non-string key', 'SafeDict({1: 2})', raises('TypeError'), SAFEDICT),
  pyOnly('the refused keys stored nothing', 'len(guarded)', ok(0), SAFEDICT),
  pyOnly('a safe key is stored', 'guarded["fine_name"] = 2\nreturn guarded["fine_name"]', ok(2), SAFEDICT),
]

export const namespace: Area = { name: 'namespace', items }
