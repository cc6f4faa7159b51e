// Entry point of the Python 2 runtime that runs inside QuickJS: createRuntime(hooks) builds the type objects,
// the builtins namespace and the `$rt` object the compiled code calls (contract.ts).
import type { CompiledCodeRuntime } from './contract.js'
import {
  PyFloat,
  PyLong,
  mkLong,
  PyComplex,
  PyDict,
  PySet,
  PyType,
  PyInstance,
  BoundMethod,
  G,
  STOP,
  T,
  EXC,
  tuple,
  isTuple,
  mkNative,
  pyErr,
  makeExc,
  type AnyFn,
} from './core.js'
import * as num from './arithmetic.js'
import * as cmp from './compare.js'
import * as cont from './containers.js'
import * as cls from './classes.js'
import * as calls from './calls.js'
import { callKw, callMethodKw } from './calls-kw.js'
import * as fmt from './format.js'
import * as exc from './exceptions.js'
import { initTypes, makeBuiltins, rangeLen, MAX_RANGE_ITEMS } from './builtins.js'

export interface RuntimeHooks {
  /** Called by $rt.catch with the Python exception now being handled (for getlasterror). */
  onCatch: (exc: unknown) => void
}

export interface NativeOptions {
  gen?: boolean
  kw?: boolean
  /** Called with exactly this many arguments: the call machinery checks the count (wrongCount makes the error) and
   *  a call site with that many calls fn directly, without an argument array. */
  arity?: number
  wrongCount?: (given: number) => unknown
}

export interface PyRuntime {
  /** What compiled code sees as `$rt`. */
  rt: CompiledCodeRuntime
  /** The builtins namespace (a dict) that gget falls back to. */
  builtins: unknown
  /** A new empty dict (e.g. module globals). */
  newDict(): unknown
  /** d[k], or undefined when missing. */
  dictGet(d: unknown, k: unknown): unknown
  dictSet(d: unknown, k: unknown, v: unknown): void
  dictKeys(d: unknown): unknown[]
  /** Adds or replaces a name in the builtins namespace. */
  defineBuiltin(name: string, value: unknown): void
  /** A Python-callable native function: fn receives positional args (it checks arity itself, unless `arity`); with
   *  `gen`, fn is a generator function (so it can call Python code with yield*). With `kw`, keyword args arrive as a
   *  trailing Map (only when the call passed some); without it, keyword args are a TypeError. */
  native(name: string, fn: (...args: any[]) => unknown, opts?: NativeOptions): unknown // eslint-disable-line @typescript-eslint/no-explicit-any -- a native function declares its own parameter types and checks the Python values it is given
  /** A class whose methods are natives receiving self first; instances carry a hidden JS payload. Calling the class
   *  from Python raises TypeError unless `methods` has `__init__`. */
  nativeClass(
    name: string,
    methods: Record<string, (self: unknown, ...args: unknown[]) => unknown>,
    base?: unknown,
  ): unknown
  /** A dict subclass whose instances pass every key to `check` (which throws to refuse it): Repy's SafeDict.
   *  `methods` (natives receiving self first) replace dict's methods of the same name. */
  checkedDictClass(
    name: string,
    check: (key: unknown) => void,
    methods?: Record<string, (self: unknown, ...args: unknown[]) => unknown>,
  ): unknown
  /** Native method `name` of `cls` takes exactly `n` arguments after self: it is only called with that many, and
   *  a call with another count raises what `wrongCount(given)` returns. */
  exactArity(cls: unknown, name: string, n: number, wrongCount: (given: number) => unknown): void
  newInstance(cls: unknown, payload: unknown): unknown
  payloadOf(inst: unknown): unknown
  /** str(x) / repr(x); may run __str__/__repr__ via runSync. */
  str(x: unknown): string
  repr(x: unknown): string
  exceptionClass(name: string): unknown
  newException(name: string, message: string): unknown
  isException(x: unknown): boolean
  exceptionSummary(exc: unknown): { typeName: string; message: string }
  /** The frames $rt.frame recorded on the exception, outermost first. */
  traceback(exc: unknown): Array<{ file: string; func: string; line: number }>
  /** Drives a Step to completion synchronously: a `0` yield is ignored; any other yield is a RuntimeError. */
  runSync(step: unknown): unknown
  /** A Step as a generator, for `yield*` from native generators and as a thread's body. */
  delegate(step: unknown): Generator<unknown, unknown, unknown>
  /** f(args) as a generator that makes the call when first resumed (a new thread's first step). */
  callGen(f: unknown, args: unknown[]): Generator<unknown, unknown, unknown>
  /** = rt.call */
  call(f: unknown, args: unknown[]): unknown
  isTuple(x: unknown): boolean
  tuple(items: unknown[]): unknown
  float(n: number): unknown
  /** int/float/bool -> JS number, else null. */
  toNumber(x: unknown): number | null
  /** The exception being handled by the current thread (what bare `raise` re-raises); the scheduler swaps it. */
  getHandled(): unknown
  setHandled(x: unknown): void
  /** Python truth value (added). */
  truth(x: unknown): boolean
  /** Python type name of a value, e.g. 'int', 'str', 'Foo' (added). */
  typeName(x: unknown): string
  /** Python getattr (added): AttributeError when missing. */
  getattr(o: unknown, name: string): unknown
  /** The items of a Python iterable as a JS array (added; do not mutate the result). */
  toArray(x: unknown): unknown[]
  /** x is a bound method (obj.m) (added). */
  isBoundMethod(x: unknown): boolean
  /** x is a dict (or an instance of a dict subclass) (added). */
  isDict(x: unknown): boolean
  /** What `$rt.discard` does with an instance of `cls` (a native class): e.g. close a file. */
  onDiscard(cls: unknown, fn: (inst: unknown) => void): void
}

let initialized = false

/** Builds the runtime. One runtime per JavaScript realm: a second call shares the same types. */
export function createRuntime(hooks: RuntimeHooks): PyRuntime {
  if (!initialized) {
    initTypes()
    initialized = true
  }
  exc.excState.onCatch = hooks.onCatch
  exc.excState.handled = null
  const builtins = makeBuiltins()
  const bm = builtins.m

  const nameErr = (name: string) => pyErr('NameError', `name '${name}' is not defined`)
  const xrangeType = bm.get('xrange'),
    rangeFn = bm.get('range')

  const discarders = new Map<PyType, (inst: unknown) => void>()

  const rt: CompiledCodeRuntime = {
    G,
    budget: 10000,
    STOP,
    float: (n: number) => new PyFloat(n),
    complex: (re: number, im: number) => new PyComplex(re, im),
    long: mkLong,
    tuple,
    dict(kv: unknown[]) {
      const d = new PyDict()
      for (let i = 0; i < kv.length; i += 2) d.set(kv[i], kv[i + 1])
      return d
    },
    gget(g: unknown, name: string, inFunction?: boolean) {
      const v = (g as PyDict).m.get(name)
      if (v !== undefined) return v
      const b = bm.get(name)
      if (b !== undefined) return b
      throw inFunction ? pyErr('NameError', `global name '${name}' is not defined`) : nameErr(name)
    },
    gset(g: unknown, name: string, v: unknown) {
      ;(g as PyDict).set(name, v === undefined ? null : v)
    },
    gdel(g: unknown, name: string) {
      if (!(g as PyDict).delete(name)) throw nameErr(name)
    },
    rangeN(f: unknown, start: unknown, stop: unknown, step: unknown): number {
      if (
        (f !== xrangeType && f !== rangeFn) ||
        typeof start !== 'number' ||
        typeof stop !== 'number' ||
        typeof step !== 'number' ||
        step === 0
      )
        return -1
      const n = rangeLen(start, stop, step)
      // range() of too many items raises MemoryError: the call does it
      return f === rangeFn && n > MAX_RANGE_ITEMS ? -1 : n
    },
    unbound(name: string): never {
      throw pyErr('UnboundLocalError', `local variable '${name}' referenced before assignment`)
    },
    func: calls.func as CompiledCodeRuntime['func'],
    makeClass: cls.makeClass,
    call: calls.call,
    call0: calls.call0,
    call1: calls.call1,
    call2: calls.call2,
    call3: calls.call3,
    callKw,
    callMethod: calls.callMethod,
    callMethod0: calls.callMethod0,
    callMethod1: calls.callMethod1,
    callMethod2: calls.callMethod2,
    callMethodKw,
    tver: 0,
    instanceMethod: calls.instanceMethod,
    getattr: cls.getattr,
    setattr: cls.setattr,
    delattr: cls.delattr,
    getitem: cont.getitem,
    setitem: cont.setitem,
    delitem: cont.delitem,
    getslice: cont.getslice,
    setslice: cont.setslice,
    delslice: cont.delslice,
    unpack: cont.unpack,
    add: num.add,
    sub: num.sub,
    mul: num.mul,
    div: num.div,
    floordiv: num.floordiv,
    mod: num.mod,
    pow: num.pow,
    lshift: num.lshift,
    rshift: num.rshift,
    bitand: num.bitand,
    bitor: num.bitor,
    bitxor: num.bitxor,
    iadd(a: unknown, b: unknown): unknown {
      // compiled code adds two safe ints inline: longs and floats (a program's sum of times) come first here
      if (a instanceof PyFloat) {
        if (b instanceof PyFloat) return new PyFloat(a.v + b.v)
        if (typeof b === 'number') return new PyFloat(a.v + b)
      } else if (typeof a === 'bigint') {
        if (typeof b === 'number') {
          // the hot path of a long accumulator: the sum keeps its sign, so stays beyond the safe range
          if (b >= 0 ? a > 0n : a < 0n) return a + BigInt(b)
          return num.bigAddNum(a, b)
        }
      } else if (Array.isArray(a) && !isTuple(a)) {
        const items = a === b ? a.slice() : cont.toArray(b)
        for (let i = 0; i < items.length; i++) a.push(items[i])
        return a
      }
      return num.add(a, b)
    },
    imul(a: unknown, b: unknown): unknown {
      if (
        Array.isArray(a) &&
        !isTuple(a) &&
        (typeof b === 'number' || typeof b === 'boolean' || typeof b === 'bigint')
      ) {
        const r = num.mul(a, b) as unknown[]
        a.length = 0
        for (let i = 0; i < r.length; i++) a.push(r[i])
        return a
      }
      return num.mul(a, b)
    },
    isub(a: unknown, b: unknown) {
      if (a instanceof PySet && !a.frozen && b instanceof PySet) {
        a.m = cont.setOps.difference(a, b).m
        return a
      }
      return num.sub(a, b)
    },
    ibitand(a: unknown, b: unknown) {
      if (typeof a === 'object' && a instanceof PySet && !a.frozen && b instanceof PySet) {
        a.m = cont.setOps.intersection(a, b).m
        return a
      }
      return num.bitand(a, b)
    },
    ibitor(a: unknown, b: unknown) {
      if (typeof a === 'object' && a instanceof PySet && !a.frozen && b instanceof PySet) {
        for (const [h, v] of b.m) if (!a.m.has(h)) a.m.set(h, v)
        return a
      }
      return num.bitor(a, b)
    },
    ibitxor(a: unknown, b: unknown) {
      if (typeof a === 'object' && a instanceof PySet && !a.frozen && b instanceof PySet) {
        a.m = cont.setOps.symmetric_difference(a, b).m
        return a
      }
      return num.bitxor(a, b)
    },
    neg: num.neg,
    pos: num.pos,
    invert: num.invert,
    truth: cmp.truth,
    eq: cmp.eq,
    ne: cmp.ne,
    lt: cmp.lt,
    le: cmp.le,
    gt: cmp.gt,
    ge: cmp.ge,
    contains: cont.contains,
    iter: cont.iter,
    discard(v: unknown) {
      if (v instanceof PyInstance) discarders.get(v.cls)?.(v)
    },
    raise: exc.raise,
    reraise: exc.reraise,
    catch: exc.catchExc,
    matches: exc.matches,
    frame: exc.frame,
  }

  cls.onTypeDictChange(() => {
    rt.tver++
  })
  const py: PyRuntime = {
    rt,
    builtins,
    newDict: () => new PyDict(),
    dictGet: (d, k) => (d as PyDict).get(k),
    dictSet: (d, k, v) => (d as PyDict).set(k, v === undefined ? null : v),
    dictKeys: (d) => (d as PyDict).keys(),
    defineBuiltin: (name, value) => builtins.set(name, value),
    native(name, fn, opts) {
      const f = mkNative(name, fn, { kw: opts?.kw ?? false, min: opts?.arity, max: opts?.arity })
      f.$nat!.wrongCount = opts?.wrongCount
      return f
    },
    nativeClass(name, methods, base) {
      const bases = base === undefined ? [T.object] : [base as PyType]
      const t = cls.newType(name, bases)
      t.module = '__main__'
      for (const k of Object.keys(methods)) {
        t.dict.set(k, mkNative(k, methods[k]!, { method: true, min: 1, kw: false, owner: name }))
      }
      if (!Object.prototype.hasOwnProperty.call(methods, '__init__')) {
        t.ctor = () => {
          throw pyErr('TypeError', `cannot create '${name}' instances`)
        }
      }
      return t
    },
    checkedDictClass(name, check, methods = {}) {
      const t = cls.newType(name, [T.dict])
      for (const k of Object.keys(methods)) {
        t.dict.set(k, mkNative(k, methods[k]!, { method: true, min: 1, kw: false, owner: name }))
      }
      t.alloc = (c) => {
        const d = new PyDict()
        d.cls = c
        d.attrs = new Map()
        d.check = check
        return d
      }
      return t
    },
    exactArity(c, name, n, wrongCount) {
      const nat = ((c as PyType).dict.get(name) as AnyFn).$nat!
      nat.min = nat.max = n + 1
      nat.wrongCount = wrongCount
    },
    newInstance(c, payload) {
      const inst = new PyInstance(c as PyType)
      inst.payload = payload
      return inst
    },
    // only a PyInstance has a `payload` property (Python attributes live in `attrs`), and a property read costs
    // QuickJS less than `instanceof`: a lock's acquire and release read it each time
    payloadOf: (inst) => (inst != null ? (inst as PyInstance).payload : undefined),
    str: fmt.str,
    repr: fmt.repr,
    exceptionClass: (name) => EXC.get(name),
    newException(name, message) {
      const c = EXC.get(name)
      if (c === undefined) throw new Error(`unknown exception class ${name}`)
      const e = makeExc(c, [message])
      e.frames = []
      return e
    },
    isException: exc.isExceptionInstance,
    exceptionSummary: exc.exceptionSummary,
    traceback: exc.traceback,
    runSync: calls.runSync,
    delegate: calls.delegate,
    callGen: calls.callGen,
    call: calls.call,
    isTuple,
    tuple,
    float: (n) => new PyFloat(n),
    toNumber(x) {
      if (typeof x === 'number') return x
      if (typeof x === 'boolean') return x ? 1 : 0
      if (typeof x === 'bigint') return Number(x)
      if (x instanceof PyFloat) return x.v
      if (x instanceof PyLong) return Number(x.v)
      return null
    },
    getHandled: () => exc.excState.handled,
    setHandled: (x) => {
      exc.excState.handled = x
    },
    truth: cmp.truth,
    typeName: cls.typeName,
    getattr: cls.getattr,
    toArray: cont.toArray,
    isBoundMethod: (x) => x instanceof BoundMethod,
    isDict: (x) => x instanceof PyDict,
    onDiscard: (c, fn) => discarders.set(c as PyType, fn),
  }
  return py
}

export { T }
