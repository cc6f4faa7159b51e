// The contract between the Repy compiler (src/repy/compile.ts, runs on the host) and the Python runtime
// (src/repy/guest/*, runs inside QuickJS). The compiler emits JavaScript that calls only `$rt.<member>` for the
// members below; the runtime implements `CompiledCodeRuntime`. Neither side relies on anything else of the other.
//
// ## Values inside the guest
// | Python            | JavaScript                                                                 |
// |-------------------|----------------------------------------------------------------------------|
// | None              | null (never undefined: the runtime turns undefined into null at every edge) |
// | bool              | true / false                                                               |
// | int               | number when a safe integer, else bigint (always normalized: a bigint is never in the safe range) |
// | long              | PyLong ({ v: bigint }) while an int could hold the value (below 2^63 in size), else bigint |
// | float             | PyFloat instance ({ v: number })                                            |
// | complex           | PyComplex instance ({ re: number, im: number })                             |
// | str               | string whose char codes are all 0..255 (a byte string)                      |
// | list              | plain Array                                                                 |
// | tuple             | frozen Array marked by the runtime (`$rt.tuple`)                            |
// | dict, set, ...    | runtime classes                                                             |
// | function          | a compiled generator function passed through `$rt.func`                     |
// | class, instance   | runtime classes                                                             |
// | exception         | an instance of a Python exception class; it is what JavaScript `throw`s     |
//
// ## Compiled module
// `compileRepy(source, filename)` returns the text of one JavaScript function expression:
//   (function ($rt) { "use strict"; return function* $module($G) { ...module body... } })
// `$G` is the module's globals (a dict; for createvirtualnamespace it is the context). Running the module means
// driving `$module($G)` to completion on a Repy thread (see "Generators" below).
//
// ## Names
// - A name assigned anywhere in a function body (or bound as a parameter, a for target, an except target, or a
//   def/class name) is local to it: a JavaScript `var` at the top of the function, initially `undefined`. A read
//   of a local that may be unbound is `(x === undefined ? $rt.unbound('x') : x)`.
// - Module-level code and every other name read: `$rt.gget($G, 'name')` (globals, then builtins, else NameError;
//   `$rt.gget($G, 'name', true)` in a function body, whose NameError says "global name"),
//   emitted as `($Gv3 === $G.ver ? $Gc3 : ($Gc3 = ($g = $G.m.get('name')) !== undefined ? $g : $rt.gget($G, 'name'),
//   $Gv3 = $G.ver, $Gc3))`: `$G` is always a dict, `$G.m` its Map from a str key to the value, `$G.ver` a number that
//   changes whenever the dict does, and `$Gc3`, `$Gv3` (one pair per name, variables of the module function, `$Gv3`
//   initially -1) what the name held at that version (`$g` is one function-local temporary, read at once);
//   module-level assignment `$g = v; if ($G.check === null || $G.m.has('name')) { $G.m.set('name', $g ?? null);
//   $G.ver++ } else $rt.gset($G, 'name', $g);` (PyDict.set's own steps where no key check applies: `$G.check` is a
//   SafeDict's, and a name it holds passed it), `del name` at module level `$rt.gdel($G, 'name')`.
// - A name read inside a nested function that is local in an enclosing function is the JavaScript closure variable.
// - A function's local that a loop in its body adds to (`total += i*i`; an int literal, `n += 1`, does not count)
//   is a sum: besides `x$` it has `x$d`, a JS number that is a safe int only while `x$` is an int (else NaN:
//   unbound, `del`, or assigned anything but an int literal), and the value is `x$ + x$d`. `x += v` with `v` a
//   safe int adds to `x$d` while the total is safe, with no type test (NaN fails the bound); else
//   `x$ = $rt.iadd(<x read>, v)` and `x$d` becomes 0 if `x$` is an int, NaN if not. Every read of `x` first folds
//   `x$d` into `x$` (inline while both are numbers and the total is safe, else `$rt.add`): a long sum takes a
//   bigint addition once per ~2^53 of increments, not at each.
// - A counted range loop (`for i in xrange(...)`) whose body calls nothing takes its numbers 16 at a time: one
//   budget spend per chunk, and the inner loop tests only its counter (compile-stmt.ts, chunkedCount).
// - A while loop of int arithmetic on locals (numeric-loop.ts) has a copy before it, in one labelled block:
//     $N0: { if (<locals are numbers> && <called names hold their defs>) { for (;;) { <back-edge counted in $b, then
//     the called names again>; if (!(<each local it assigns is within +-B>)) break; if (!<test>) break; <plain
//     JavaScript arithmetic, calls inlined; Python's break is `break $N0`> } } <the ordinary loop> }
//   A sum's `x$d` must be 0 or NaN at entry; the copy then uses `x$` alone.
// - Class bodies: `const $ns = new Map()`; assignments in the body go to `$ns.set('name', v)`; a read of a name the
//   body assigns is `($ns.has('x') ? $ns.get('x') : <what the read would be outside the class>)`. Then
//   `$rt.makeClass('Name', [bases...], $ns)`.
// - True, False and None are the literals true, false, null.
//
// ## Generators, calls and threads
// Every Python function is compiled to a JavaScript generator function, so that a Repy thread can be suspended
// anywhere (a blocking API call, or preemption). A call site is
//     (($t = $rt.call(f, [args...])) instanceof $rt.G ? yield* $t : $t)
// where `$t` is one function-local temporary: `$rt.call` returns the result directly when the callee finished
// without needing to suspend (a builtin), or a generator object to be delegated to.
// Same for `$rt.callKw`, `$rt.callMethod`, `$rt.callMethodKw`, and `$rt.call0(f)` .. `$rt.call3(f, a, b, c)` (the
// form for up to 3 positional arguments), `$rt.callMethod0(o, name)` .. `$rt.callMethod2(o, name, a, b)` (up to 2).
// A method call `o.m(a)` with up to 2 positional arguments keeps what it called last (`$Mc4`, `$Mv4`, `$Mf4`: the
// instance's class, `$rt.tver` then, the function; variables of the module function, `$Mc4` initially null, `$Mv4`
// initially -1):
//     ($a0 = <o>, $a1 = <a>, $a0 != null && $a0.cls === $Mc4 && $Mv4 === $rt.tver && ($a0.attrs.size === 0 || !$a0.attrs.has('m'))
//       ? $Mf4($a0, $a1)
//       : ($Mf4 = $rt.instanceMethod($a0, 'm', 1)) !== undefined ? ($Mc4 = $a0.cls, $Mv4 = $rt.tver, $Mf4($a0, $a1))
//       : ($Mv4 = -1, $rt.callMethod1($a0, 'm', $a1)))
// inside the call form above (its result may be a generator). No class's dict changes without changing
// `$rt.tver`, so while it holds, the class still resolves `m` to `$Mf4`. The test needs no `instanceof` (which
// costs QuickJS as much as the rest of the test): `$Mv4` holds only after instanceMethod found `m` on an instance
// (PyInstance) of `$Mc4`, and every object whose `cls` is a given class has the same representation (the class's
// allocator makes them all), so `$a0.cls === $Mc4` is true of instances of `$Mc4` alone.
// A call `f(a, b)` of a function the module defines once at its top level (plain parameters, no decorator), by a
// name read from the globals, with as many positional arguments as it has parameters, is
//     ($a0 = <f read from the globals>, $a1 = <a>, $a2 = <b>, $a0 === $P3 ? $P3($a1, $a2) : <the call above of $a0>)
// where `$P3` is a variable of the module function holding what that def made (null before it ran): while the name
// still holds it, it is called directly (`(yield* $P3(...))` when it is a generator). Locals and literals are
// passed as they are instead of through a temporary.
// Exception: a function whose body has no call, no loop and no list comprehension can never need to suspend; it
// is a plain JavaScript function (no generator object per call) returning its value, with no preemption point:
// calling it is like calling a builtin.
// Preemption: at every loop back-edge and at the top of every (generator) function body: `if (--$rt.budget < 0) yield 0`.
// A loop whose test and body have no call counts its back-edges in the function's local `$b` and spends them 16 at
// a time: `if (--$b < 0) { $b = 15; if (($rt.budget -= 16) < 0) yield 0; }`.
// Nothing else is ever yielded by compiled code.
//
// ## Line numbers and tracebacks
// Every function body (and the module body) keeps a local `$l` (a function declares its locals and temporaries
// with one `var`) set to the current source line before each
// statement, and is wrapped as
//     try { ...body... } catch ($x) { throw $rt.frame($x, FILE, 'funcname', $l) }
// ('<module>' for the module body). `$rt.frame` records the frame on the exception and returns what to rethrow.
//
// ## Exceptions
// - `raise E` / `raise E(x)` / `raise E, x`: `throw $rt.raise(E, x_or_undefined)`. Bare `raise`: `throw $rt.reraise()`.
// - `try: ... except A, e: ...` compiles to
//     try { ... } catch ($e) { $e = $rt.catch($e, $F, 'funcname', $l); if ($rt.matches($e, A)) { e = $e; ... } else throw $e }
//   `$rt.catch` turns any JavaScript error into a Python exception instance (or rethrows at once what Python may
//   not catch: the program being ended), and records it as the thread's current exception (getlasterror).
//   A bare `except:` matches everything `$rt.catch` returned.
// - `finally` is JavaScript `finally`.
// - `assert t, msg`: `if (!$rt.truth(t)) throw $rt.raise($rt.gget($G, 'AssertionError'), msg)`.
//
// ## Operators
// `+`, `-`, `*`, `% k` (k a positive int literal), unary `-` and the comparisons `== != < <= > >=` have an inline
// fast path for two JS numbers (ints in the safe range), e.g. `a + b`:
//     (typeof a === "number" && typeof b === "number" && ($a1 = a + b) <= 9007199254740991 && $a1 >= -9007199254740991 ? $a1 : $rt.add(a, b))
// and call the runtime function otherwise (bools, floats, longs, strings, ...). When nothing else in a statement
// can raise (`return a + b`, `x = a * 2`, `n += 1`, a `while` test, on locals), only that call sets `$l`:
// `... ? $a1 : ($l = 7, $rt.add(a, b))`. Operands that are not plain bound
// locals or literals are evaluated once, in order, into temporaries `$aN` first. A truth test of a value that is
// not known to be a JS boolean is `(x === true || x !== false && $rt.truth(x))`.
//
// ## Iteration
// `for x in it:` is
//     for (const $i = $rt.iter(it);;) { const $v = $i.next(); if ($v === $rt.STOP) break; x = $v; ...; if (--$rt.budget < 0) yield 0 }
// `for x in xrange(...)` / `range(...)`: the name and the arguments are evaluated once; when `$rt.rangeN(f, start,
// stop, step)` says f is the builtin and the bounds are ints in the safe range, the loop counts the numbers itself;
// otherwise the same loop body takes its items from `$rt.iter(<the call>)`. When the body does not rebind x and has
// no loop, def or class, the loop is emitted twice, the counting copy first, where x is known to be a JS number
// (no type test of x on its fast paths):
//     if ($it === null) { for (;;) { <back-edge>; if (--$n < 0) break; x = $c++; ... } }
//     else { for (;;) { <back-edge>; if (($v = $it.next()) === $rt.STOP) break; x = $v; ... } }
// List comprehensions loop the same way inside `(yield* (function* () { ... })())`; their loop variables are
// assigned in the enclosing scope, as in Python 2.

/** The runtime's object for `$rt`. Every function is plain (not a generator) unless it says it returns `Step`. */
export interface CompiledCodeRuntime {
  /** Generator objects are `instanceof G` (G.prototype is %GeneratorPrototype%). */
  readonly G: abstract new () => object
  /** Decremented by compiled code; at < 0 it yields 0 and the scheduler resets it. */
  budget: number
  /** Returned by an iterator's next() when it is exhausted. */
  readonly STOP: object

  // literals
  float(n: number): unknown
  /** complex(re, im) (imaginary literals). */
  complex(re: number, im: number): unknown
  /** A long literal (`5L`). */
  long(v: bigint): unknown
  tuple(items: unknown[]): unknown
  /** dict literal: keys and values alternate. */
  dict(kv: unknown[]): unknown

  // names
  /** `inFunction`: the read is in a function body (NameError "global name 'x' is not defined", as Python 2 says) */
  gget(globals: unknown, name: string, inFunction?: boolean): unknown
  gset(globals: unknown, name: string, v: unknown): void
  gdel(globals: unknown, name: string): void
  unbound(name: string): never
  /** `for x in f(start, stop, step)`: when f is the builtin xrange or range and the arguments are ints in the safe
   *  range (numbers) with step != 0, the number of items, and the loop counts them itself; else -1 (call f). */
  rangeN(f: unknown, start: unknown, stop: unknown, step: unknown): number

  // functions and classes
  /** Turns a compiled generator function into a Python function. `defaults` are the values of the last
   *  `defaults.length` params. The generator receives exactly params..., then (if star) a tuple, then (if kw) a dict. */
  func(gen: (...args: never[]) => Generator<unknown, unknown, unknown>, meta: FunctionMeta): unknown
  makeClass(name: string, bases: unknown[], ns: Map<string, unknown>): unknown

  // calls: each returns the value, or a generator to delegate to (see header)
  call(f: unknown, args: unknown[]): Step
  /** call(f, []), call(f, [a]), ... without the array (the compiler uses these for up to 3 positional args). */
  call0(f: unknown): Step
  call1(f: unknown, a: unknown): Step
  call2(f: unknown, a: unknown, b: unknown): Step
  call3(f: unknown, a: unknown, b: unknown, c: unknown): Step
  /** f(*args, **kw): `kw` is [name, value] pairs, `star` the *expression (or undefined), `starstar` the **expression. */
  callKw(f: unknown, args: unknown[], kw: Array<[string, unknown]>, star?: unknown, starstar?: unknown): Step
  /** callMethod(obj, name, []), ..., [a, b] without the array (the compiler uses these for up to 2 positional args). */
  callMethod0(obj: unknown, name: string): Step
  callMethod1(obj: unknown, name: string, a: unknown): Step
  callMethod2(obj: unknown, name: string, a: unknown, b: unknown): Step
  callMethod(obj: unknown, name: string, args: unknown[]): Step
  /** Changes whenever a class's dict does (setattr or delattr on a class). */
  tver: number
  /** What `obj.name(...)` with n positional arguments may call directly with obj first, when obj is an instance
   *  (a PyInstance): its class's plain method of n + 1 parameters or native method taking n + 1 arguments, not
   *  shadowed by an attribute of the instance; else undefined. */
  instanceMethod(obj: unknown, name: string, n: number): ((...args: unknown[]) => unknown) | undefined
  callMethodKw(
    obj: unknown,
    name: string,
    args: unknown[],
    kw: Array<[string, unknown]>,
    star?: unknown,
    starstar?: unknown,
  ): Step

  // attributes and items
  getattr(o: unknown, name: string): unknown
  setattr(o: unknown, name: string, v: unknown): void
  delattr(o: unknown, name: string): void
  getitem(o: unknown, k: unknown): unknown
  setitem(o: unknown, k: unknown, v: unknown): void
  delitem(o: unknown, k: unknown): void
  /** o[lo:hi] and o[lo:hi:step]; a missing bound is undefined. */
  getslice(o: unknown, lo: unknown, hi: unknown, step: unknown): unknown
  setslice(o: unknown, lo: unknown, hi: unknown, step: unknown, v: unknown): void
  delslice(o: unknown, lo: unknown, hi: unknown, step: unknown): void
  /** `a, b = x`: x's items as an array of exactly n, else ValueError. */
  unpack(x: unknown, n: number): unknown[]

  // operators (Python 2 semantics: `/` on two ints floors)
  add(a: unknown, b: unknown): unknown
  sub(a: unknown, b: unknown): unknown
  mul(a: unknown, b: unknown): unknown
  div(a: unknown, b: unknown): unknown
  floordiv(a: unknown, b: unknown): unknown
  mod(a: unknown, b: unknown): unknown
  pow(a: unknown, b: unknown): unknown
  lshift(a: unknown, b: unknown): unknown
  rshift(a: unknown, b: unknown): unknown
  bitand(a: unknown, b: unknown): unknown
  bitor(a: unknown, b: unknown): unknown
  bitxor(a: unknown, b: unknown): unknown
  /** `a += b` and friends: in place where Python does it (list += iterable), else the binary operator. */
  iadd(a: unknown, b: unknown): unknown
  /** `a *= b`: in place for a list (list *= int), else `mul`. (Added by the front end.) */
  imul(a: unknown, b: unknown): unknown
  /** `a -= b`: in place for a set, else `sub`. (Added by the front end.) */
  isub(a: unknown, b: unknown): unknown
  /** `a &= b`: in place for a set, else `bitand`. (Added by the front end.) */
  ibitand(a: unknown, b: unknown): unknown
  /** `a |= b`: in place for a set, else `bitor`. (Added by the front end.) */
  ibitor(a: unknown, b: unknown): unknown
  /** `a ^= b`: in place for a set, else `bitxor`. (Added by the front end.) */
  ibitxor(a: unknown, b: unknown): unknown
  neg(a: unknown): unknown
  pos(a: unknown): unknown
  invert(a: unknown): unknown
  truth(a: unknown): boolean
  eq(a: unknown, b: unknown): boolean
  ne(a: unknown, b: unknown): boolean
  lt(a: unknown, b: unknown): boolean
  le(a: unknown, b: unknown): boolean
  gt(a: unknown, b: unknown): boolean
  ge(a: unknown, b: unknown): boolean
  /** `item in container` */
  contains(container: unknown, item: unknown): boolean
  // `is` / `is not` compile to === / !==.

  // iteration
  iter(x: unknown): { next(): unknown }

  /** The value of an expression statement `openfile(...)`, which nothing can refer to: a file is closed, as
   *  CPython's reference counting closed it at once (programs create files this way). */
  discard(v: unknown): void

  // exceptions and frames
  raise(typeOrInstance: unknown, arg?: unknown): unknown
  reraise(): unknown
  /** Also records the catching function's frame (file, its name, the line that raised), as Python's traceback has it. */
  catch(e: unknown, file: string, func: string, line: number): unknown
  matches(exc: unknown, spec: unknown): boolean
  frame(e: unknown, file: string, func: string, line: number): unknown
}

export interface FunctionMeta {
  name: string
  params: string[]
  defaults: unknown[]
  star: string | null
  kw: string | null
  file: string
  line: number
}

/** What a call returns: a value, or a generator (instanceof G) to delegate to with yield*. */
export type Step = unknown
